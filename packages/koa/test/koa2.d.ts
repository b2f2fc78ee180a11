// Koa 2 is installed under an alias to test both majors; its API is the one @types/koa describes.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
