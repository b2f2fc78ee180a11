// Node CommonJS: the package loaded with require(), as a CJS app does.
const core = require('@x/together-webhooks-core');

import('./print-report.mjs').then(({ printReport }) => printReport(core, require.resolve('@x/together-webhooks-core')));
