// The second major version of each framework is installed under an alias
// (test/package.json); its API is the part typed by the current @types.
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
