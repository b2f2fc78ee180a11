// The Nuxt config of the app this folder sketches (nuxt.config.ts, with defineNuxtConfig, in a
// real one). Nothing here is needed by the route: Nitro picks up server/routes/ by itself.
export default {};
