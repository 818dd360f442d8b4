/**
 * What to show for a failed Apex call or wire: the server's message (every message when the body
 * is a list, as the UI API answers), else the error's own message, else `fallback`.
 */
export function messageOf(error, fallback) {
  const body = error && error.body
  if (Array.isArray(body)) return body.map((e) => e.message).join(' ')
  return (body && body.message) || (error && error.message) || fallback
}
