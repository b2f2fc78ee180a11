import { describe } from 'vitest';
import { defineProperties } from './property-cases.js';

// A modest count in every project (node, portable, edge); properties.node.test.ts runs more.
describe('properties (spec section 10)', () => {
  defineProperties(200);
});
