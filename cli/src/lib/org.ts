import type { Connection, Org } from '@salesforce/core'

/**
 * The org's connection with its instance URL as jsforce joins paths to it: an auth saved with a
 * trailing slash (`sf org login access-token` keeps what was typed) would otherwise make every
 * request `https://host//services/data/…`.
 */
export function connectionOf(org: Org): Connection {
  const conn = org.getConnection()
  conn.instanceUrl = conn.instanceUrl.replace(/\/+$/, '')
  return conn
}
