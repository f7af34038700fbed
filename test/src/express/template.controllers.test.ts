// The controller conformance suite (@apojwt/conformance) on its reference
// implementation: plain Express 5 and 4, the contract's routes written as
// controller classes with apojwt's (TC39) decorators, mounted by a small
// router that reads CONTROLLER_ROUTES. Plain Express has no parameter
// decorators: handlers read `req.params` and the values the guard attached.
import express5 from 'express';
import express4 from 'express4';
import { permissionRequired, refresh, tokenRequired, type ApoJwt, type JsonObject } from '@apojwt/express';
import {
  CONTROLLER_FAILURE_MESSAGE,
  CONTROLLER_ROUTES,
  listen,
  runControllerConformance,
  type ControllerAppUnderTest,
  type ControllerName,
  type GuardedAnswer,
  type OrderAnswer,
  type PublicAnswer,
  type RenewAnswer,
} from '@apojwt/conformance';

type Request = express5.Request;

/** The handlers of both Express versions push here (the suites run one after the other). */
const ran: string[] = [];

function guarded(handler: string, req: Request): GuardedAnswer {
  ran.push(handler);
  return { ran: handler, tokenSubject: req.tokenSubject as string, tokenData: req.tokenData, tokenPermissions: req.tokenPermissions ?? [] };
}

class OrdersController {
  @tokenRequired()
  profile(req: Request): GuardedAnswer {
    return guarded('profile', req);
  }

  @permissionRequired('orders:read')
  list(req: Request): GuardedAnswer {
    return guarded('list', req);
  }

  @permissionRequired(['orders:read', 'orders:write'])
  readWrite(req: Request): GuardedAnswer {
    return guarded('readWrite', req);
  }

  @permissionRequired({ any: ['orders:write', 'billing:read'] })
  writeOrBilling(req: Request): GuardedAnswer {
    return guarded('writeOrBilling', req);
  }

  @permissionRequired('orders:read')
  async order(req: Request): Promise<OrderAnswer> {
    await Promise.resolve();
    return { ...guarded('order', req), id: String(req.params['id']) };
  }
}

@permissionRequired('orders:read')
class ClassController {
  classList(req: Request): GuardedAnswer {
    return guarded('classList', req);
  }

  @permissionRequired('orders:write')
  classWrite(req: Request): GuardedAnswer {
    return guarded('classWrite', req);
  }
}

class SessionController {
  constructor(private readonly apo: ApoJwt<string, JsonObject, JsonObject, true>) {}

  @refresh()
  renew(req: Request): RenewAnswer {
    ran.push('renew');
    const refreshData = req.refreshData as { user: string };
    const pair = this.apo.createToken({ sub: refreshData.user, permissions: ['orders:read'], refreshData });
    return { ran: 'renew', refreshData, ...pair };
  }
}

class BoomController {
  @permissionRequired('orders:read')
  boom(_req: Request): never {
    ran.push('boom');
    throw new Error(CONTROLLER_FAILURE_MESSAGE);
  }
}

class PublicController {
  open(): PublicAnswer {
    ran.push('open');
    return { ran: 'open' };
  }
}

type Method = (req: Request, res: express5.Response, next: express5.NextFunction) => unknown;

function expressControllerApp(name: string, create: typeof express5): ControllerAppUnderTest {
  return {
    name,
    template: 'express',
    ran,
    async serve({ apo }) {
      const controllers: Record<ControllerName, object> = {
        OrdersController: new OrdersController(),
        ClassController: new ClassController(),
        SessionController: new SessionController(apo),
        BoomController: new BoomController(),
        PublicController: new PublicController(),
      };
      const app = create();
      for (const route of CONTROLLER_ROUTES) {
        const controller = controllers[route.controller] as Record<string, Method | undefined>;
        const method = controller[route.handler];
        if (typeof method !== 'function') throw new TypeError(`${route.controller} has no ${route.handler}`);
        app[route.method === 'GET' ? 'get' : 'post'](route.path, (req, res, next) => {
          Promise.resolve()
            .then(() => method.call(controller, req, res, next))
            .then((out) => {
              if (out !== undefined && !res.headersSent) res.json(out);
            }, next);
        });
      }
      // What an application's last error handler does: a generic 500, never the error's text.
      app.use((error: { status?: number }, _req: Request, res: express5.Response, _next: express5.NextFunction) => {
        res.status(error.status ?? 500).json({ error: 'ERR_INTERNAL' });
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  };
}

runControllerConformance(expressControllerApp('Express 5 controllers', express5));
runControllerConformance(expressControllerApp('Express 4 controllers', express4));
