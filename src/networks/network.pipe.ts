import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiPathParam } from '../common/http/openapi.decorators';
import type { Principal } from '../domain/principal/principal';
import type { NetworkRecord } from './networks.repository';
import { NetworksService } from './networks.service';

interface NetworkRef {
  readonly name: string;
  readonly principal: Principal;
}

/** The `:network` path parameter together with the caller, for VisibleNetworkPipe. */
const NetworkRefParam = createParamDecorator((param: string | undefined, context: ExecutionContext): NetworkRef => {
  const request = context.switchToHttp().getRequest<{ params: Record<string, string>; principal: Principal }>();
  return { name: request.params[param ?? 'network'], principal: request.principal };
});

/** Resolves a network name to its record, 404 when it is unknown or outside the caller's scope. */
@Injectable()
export class VisibleNetworkPipe implements PipeTransform<NetworkRef, Promise<NetworkRecord>> {
  constructor(private readonly networks: NetworksService) {}

  transform(ref: NetworkRef): Promise<NetworkRecord> {
    return this.networks.resolve(ref.principal, ref.name);
  }
}

/**
 * `@VisibleNetwork() network: NetworkRecord`: the `:network` of the path, checked against the
 * caller. It also documents the path parameter, as @Param('network') would.
 */
export function VisibleNetwork(param = 'network'): ParameterDecorator {
  return (target, key, index) => {
    NetworkRefParam(param, VisibleNetworkPipe)(target, key, index);
    ApiPathParam(param)(target, key, index);
  };
}
