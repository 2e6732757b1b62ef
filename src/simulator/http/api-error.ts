// JSON:API errors, shaped like Klaviyo's: {"errors":[{id,status,code,title,detail,source}]}.
import { randomUUID } from 'node:crypto';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly parameter?: string,
    /** JSON pointer into a POST body (`/data/attributes/statistics`). */
    readonly pointer?: string,
  ) {
    super(detail);
  }
}

export function badRequest(detail: string, parameter?: string): ApiError {
  return new ApiError(400, 'invalid', 'Invalid input.', detail, parameter);
}

export function errorDocument(error: ApiError): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    id: randomUUID(),
    status: error.status,
    code: error.code,
    title: error.title,
    detail: error.detail,
  };
  if (error.parameter !== undefined) entry['source'] = { parameter: error.parameter };
  if (error.pointer !== undefined) entry['source'] = { pointer: error.pointer };
  return { errors: [entry] };
}
