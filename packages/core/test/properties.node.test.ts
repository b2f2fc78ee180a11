import { describe } from 'vitest';
import { defineProperties } from './property-cases.js';

// The heavy run, kept out of the edge project; a few seconds per build.
describe('properties (spec section 10), heavy run', () => {
  defineProperties(2000, 60_000);
});
