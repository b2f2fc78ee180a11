// The fake lives in src/testing so the bench and the example can use it from the build too.
export * from '../src/testing/fake-together-api.js';
