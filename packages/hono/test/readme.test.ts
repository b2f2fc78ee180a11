import { fileURLToPath } from 'node:url';
import { describeReadmeExample } from '@x/together-webhooks-test-support/readme-example';

describeReadmeExample(fileURLToPath(new URL('..', import.meta.url)), 'whsec_readme_hono');
