import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform } from '@nestjs/common';
import { UUID_PATTERN } from '../../domain/ids/uuid';
import { type NotFound, Problems } from '../../domain/problems/problems';
import { ApiPathParam } from './openapi.decorators';

/**
 * Checks a UUID path parameter once, before any service runs. A malformed id can name no row,
 * so it answers exactly as an unknown one does: 404 with the `<what>-not-found` code.
 */
@Injectable()
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly what: NotFound) {}

  transform(value: string): string {
    if (!UUID_PATTERN.test(value)) {
      throw Problems.notFound(this.what);
    }
    return value;
  }
}

/** The raw path parameter (documented by ApiPathParam, so parameters keep the handler's order). */
const PathParam = createParamDecorator(
  (param: string, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<{ params: Record<string, string> }>().params[param],
);

/** `@IdParam('peer') id: string`: the `:id` of the path, a well-formed UUID (404 otherwise). */
export function IdParam(what: NotFound, param = 'id'): ParameterDecorator {
  return (target, key, index) => {
    PathParam(param, new UuidPipe(what))(target, key, index);
    ApiPathParam(param)(target, key, index);
  };
}
