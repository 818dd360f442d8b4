import type { FC } from 'hono/jsx'

/** An open SLA alert as the banner shows it. */
export interface BannerAlert {
  rule: string
  subject: string
  message: string
  openedAt: string
}

/**
 * The open SLA alerts, on top of every signed-in page (`role="alert"`, so a screen reader
 * announces them). Its title is not a heading: it comes before the page's `<h1>`. Nothing at all
 * when none is open.
 */
export const AlertBanner: FC<{ alerts?: BannerAlert[] }> = ({ alerts }) =>
  alerts && alerts.length > 0 ? (
    <section class="banner" role="alert" aria-labelledby="banner-title">
      <p id="banner-title" class="title">
        {alerts.length === 1 ? '1 open SLA alert' : `${alerts.length} open SLA alerts`}
      </p>
      <ul>
        {alerts.slice(0, 5).map((a) => (
          <li data-rule={a.rule}>
            {a.message} <small>(since {a.openedAt.slice(0, 16).replace('T', ' ')} UTC)</small>
          </li>
        ))}
      </ul>
      {alerts.length > 5 ? <p>and {alerts.length - 5} more.</p> : null}
    </section>
  ) : null
