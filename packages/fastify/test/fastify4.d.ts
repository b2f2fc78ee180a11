// Fastify 4 is installed under an alias to test both majors; its API is typed here as Fastify 5's.
declare module 'fastify4' {
  import Fastify from 'fastify';
  export default Fastify;
}
