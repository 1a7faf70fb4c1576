// The one error hierarchy. Services throw these; `problem.ts` turns them into RFC 9457
// responses. `code` is part of the API contract: clients branch on it, so never rename one.

export interface FieldError {
  /** JSON Pointer into the request, e.g. /body/lines/0/quantity */
  path: string;
  message: string;
  /** When one request has several distinct problems (an order's basket), each names its own stable code. */
  code?: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(400, code, 'Bad request', detail, errors);
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(400, 'VALIDATION_FAILED', 'Validation failed', detail, errors);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(detail = 'Sign in to do this.', code = 'UNAUTHENTICATED') {
    super(401, code, 'Unauthenticated', detail, undefined, { 'www-authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.', code = 'FORBIDDEN') {
    super(403, code, 'Forbidden', detail);
  }
}

/** Also used for resources of another organization: existence is never revealed. */
export class NotFoundError extends AppError {
  constructor(what = 'resource', code = 'NOT_FOUND') {
    super(404, code, 'Not found', `No such ${what}.`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

export class PreconditionFailedError extends AppError {
  constructor(detail = 'The resource changed since you read it; fetch it again and retry with the new ETag.') {
    super(412, 'PRECONDITION_FAILED', 'Precondition failed', detail);
  }
}

export class UnprocessableError extends AppError {
  constructor(code: string, detail: string, errors?: FieldError[]) {
    super(422, code, 'Unprocessable request', detail, errors);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: string, detail: string, retryAfterSeconds = 1) {
    super(503, code, 'Service unavailable', detail, undefined, { 'retry-after': String(retryAfterSeconds) });
  }
}
