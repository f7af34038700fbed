declare module 'express-jwt-permissions' {
  import type { RequestHandler } from 'express';
  interface Guard {
    check(required: string | string[] | string[][]): RequestHandler;
  }
  export default function guard(options?: { requestProperty?: string; permissionsProperty?: string }): Guard;
}
