// What a caught value says, for a log line or a stored attempt: an Error's message, else the value
// as text (a rejected promise may carry anything).
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
