import 'reflect-metadata';
import {
  Controller,
  ForbiddenException,
  Get,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory, Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APOJWT_MODULE_OPTIONS, ApoJwtGuard, ApoJwtModule, PermissionRequired } from '@apojwt/nest';
import { createApoJwt } from '@apojwt/core';
import type { IncomingMessage, Server } from 'node:http';
import { minimalCheck } from '../minimal-check.js';
import { AUDIENCE, BODY, CASES, ISSUER, PERMISSION, SECRET, frameworkOf, type Case } from '../shared.js';
import { caseFromArgv, serve } from '../serve.js';

/**
 * The Nest cases (platform-express, Nest's default), one per process, like
 * ../server.ts: GET /orders answers the same JSON. Compiled with legacy
 * decorators (tsconfig.legacy.json), as every Nest app is.
 */

@Controller('orders')
class BareOrdersController {
  @Get()
  list() {
    return BODY;
  }
}

@Module({ controllers: [BareOrdersController] })
class BareModule {}

// What any global guard, and any global interceptor, costs in Nest: each one that does
// nothing. ApoJwtModule registers a global guard and a global interceptor (the request
// scope core's own decorators read), so these two are the floor under nest-apojwt.
@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

@Module({ controllers: [BareOrdersController], providers: [{ provide: APP_GUARD, useClass: NoopGuard }] })
class NoopGuardModule {}

@Injectable()
class NoopInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@Module({ controllers: [BareOrdersController], providers: [{ provide: APP_INTERCEPTOR, useClass: NoopInterceptor }] })
class NoopInterceptorModule {}

@Controller('orders')
class ApoJwtOrdersController {
  @Get()
  @PermissionRequired(PERMISSION)
  list() {
    return BODY;
  }
}

@Module({ imports: [ApoJwtModule.forRoot({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE })], controllers: [ApoJwtOrdersController] })
class ApoJwtAppModule {}

// Where nest-apojwt's time goes: ApoJwtGuard as the only global provider, without the
// module's interceptor and filter. A diagnostic, not a way to use apojwt: it hands the
// guard the settings object ApoJwtModule would make (its shape is the module's own).
@Module({
  controllers: [ApoJwtOrdersController],
  providers: [
    {
      provide: APOJWT_MODULE_OPTIONS,
      useValue: Object.freeze({
        apo: createApoJwt({ secret: SECRET, iss: ISSUER, serverAudience: AUDIENCE, template: 'nest' }),
        guard: 'global',
        requireDecision: false,
        platform: undefined,
        credentials: { cookie: undefined, refreshCookie: 'apojwt_refresh' },
      }),
    },
    { provide: APP_GUARD, useClass: ApoJwtGuard },
  ],
})
class ApoJwtGuardOnlyModule {}

// The floor for any JWT guard with a verified-token cache (minimal-check.ts, the check
// fastify-minimal-hook runs), the claims on req.user; 401/403 with Nest's own exceptions.
const check = minimalCheck();

@Injectable()
class MinimalJwtGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needed = this.reflector.get(Permission, context.getHandler());
    if (needed === undefined) return true;
    const request = context.switchToHttp().getRequest<IncomingMessage & { user?: unknown }>();
    const claims = check(request.headers.authorization, needed);
    if (claims === 401) throw new UnauthorizedException();
    if (claims === 403) throw new ForbiddenException();
    request.user = claims;
    return true;
  }
}

const Permission = Reflector.createDecorator<string>();

@Controller('orders')
class MinimalGuardOrdersController {
  @Get()
  @Permission(PERMISSION)
  list() {
    return BODY;
  }
}

@Module({ controllers: [MinimalGuardOrdersController], providers: [{ provide: APP_GUARD, useClass: MinimalJwtGuard }] })
class MinimalGuardModule {}

// @nestjs/passport as Nest's docs write it ("Authentication", JWT strategy; "Authorization",
// the roles guard reading a Reflector decorator), with the token's permissions as the roles.
@Injectable()
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), ignoreExpiration: false, secretOrKey: SECRET, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
  }

  async validate(payload: { sub: string; perms?: string[] }) {
    return { userId: payload.sub, roles: payload.perms ?? [] };
  }
}

const Roles = Reflector.createDecorator<string[]>();

@Injectable()
class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get(Roles, context.getHandler());
    if (!roles) return true;
    const request = context.switchToHttp().getRequest<{ user?: { roles: string[] } }>();
    return roles.some((role) => request.user?.roles.includes(role) ?? false);
  }
}

@Controller('orders')
class PassportOrdersController {
  @Get()
  @UseGuards(AuthGuard('jwt'), RolesGuard)
  @Roles([PERMISSION])
  list() {
    return BODY;
  }
}

@Module({ imports: [PassportModule], controllers: [PassportOrdersController], providers: [JwtStrategy] })
class PassportAppModule {}

type Ours = Extract<Case, `nest-${string}`>;
const modules: Record<Ours, unknown> = {
  'nest-bare': BareModule,
  'nest-noop-guard': NoopGuardModule,
  'nest-noop-interceptor': NoopInterceptorModule,
  'nest-apojwt': ApoJwtAppModule,
  'nest-apojwt-guard-only': ApoJwtGuardOnlyModule,
  'nest-minimal-guard': MinimalGuardModule,
  'nest-passport': PassportAppModule,
};

const which = caseFromArgv(CASES.filter((c): c is Ours => frameworkOf(c) === 'nest'));
const app: INestApplication = await NestFactory.create(modules[which] as never, { logger: false });
await app.listen(0, '127.0.0.1');
serve(app.getHttpServer() as Server, () => app.close());
