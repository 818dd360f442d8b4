import type { Child, FC } from 'hono/jsx'

/**
 * A table of rows under column headers (`scope="col"` for screen readers), with an optional
 * caption: every list on the console pages, so they read and navigate alike.
 */
export const DataTable: FC<{ caption?: Child; headers: readonly string[]; children?: Child }> = ({
  caption,
  headers,
  children,
}) => (
  <table>
    {caption ? <caption>{caption}</caption> : null}
    <thead>
      <tr>
        {headers.map((h) => (
          <th scope="col">{h}</th>
        ))}
      </tr>
    </thead>
    <tbody>{children}</tbody>
  </table>
)
