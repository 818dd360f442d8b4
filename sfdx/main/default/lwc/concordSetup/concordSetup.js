import { LightningElement } from 'lwc'
import checkConnection from '@salesforce/apex/ConcordSetupController.checkConnection'
import { messageOf } from 'c/concordErrors'

const FALLBACK = 'The Concord setup check could not run.'

const CONNECTION = {
  ok: {
    title: 'Connected',
    help: 'The worker accepted a signed call: the named credential, the signing secret and the clock agree.',
    className: 'connection slds-box slds-theme_success',
  },
  refused: {
    title: 'Signature refused',
    help: "The worker answered but refused the signature. Check that the Concord Worker external credential's Signer principal holds the worker's SALESFORCE_EVENTS_SECRET as SigningSecret, that the named credential URL is the worker's origin with no path, and that the org's clock is right.",
    className: 'connection slds-box slds-theme_error',
  },
  unreachable: {
    title: 'Worker unreachable',
    help: 'No answer, or the worker failed. Check the Concord Worker named credential URL and that the worker is deployed, then test again.',
    className: 'connection slds-box slds-theme_warning',
  },
  failed: {
    title: 'Check failed',
    help: 'The worker answered with something this page does not understand.',
    className: 'connection slds-box slds-theme_error',
  },
}
const SOURCES = { catch_up: 'CometD catch-up', writer: 'Salesforce writer' }
const HEALTH = {
  ok: 'Healthy',
  failing: 'Failing',
  gap: 'Events lost (a gap to acknowledge)',
  never_run: 'Not run yet',
}

function count(value) {
  return value === null || value === undefined ? 'unknown' : String(value)
}

/**
 * The "Concord Setup" page: tests the connection to the worker with a signed call (Apex
 * `ConcordSetupController.checkConnection`) and shows the relay's last success and failure (from
 * the sync rows), the CometD catch-up's last success and cursor age against the 72-hour event
 * retention, the writer's queue and the last errors by code.
 */
export default class ConcordSetup extends LightningElement {
  status
  errorMessage
  checking = false

  connectedCallback() {
    this.check()
  }

  async check() {
    this.checking = true
    this.errorMessage = undefined
    try {
      this.status = await checkConnection()
    } catch (error) {
      this.status = undefined
      this.errorMessage = messageOf(error, FALLBACK)
    } finally {
      this.checking = false
    }
  }

  get connection() {
    return CONNECTION[this.status && this.status.state] || CONNECTION.failed
  }

  get connectionDetail() {
    const s = this.status
    if (!s || s.state === 'ok') return ''
    const parts = [s.message, s.httpStatus ? `HTTP ${s.httpStatus}` : '', s.errorCode]
    if (s.requestId) parts.push(`request ${s.requestId}`)
    return parts.filter(Boolean).join(' · ')
  }

  get worker() {
    return this.status && this.status.worker
  }

  get catchUp() {
    const c = this.worker && this.worker.catchUp
    if (!c) return undefined
    const stale = c.cursorAgeHours !== null && c.cursorAgeHours > c.retentionHours
    return {
      health: HEALTH[c.health] || c.health,
      lastSuccessAt: c.lastSuccessAt,
      age:
        c.cursorAgeHours === null || c.cursorAgeHours === undefined
          ? 'no successful run yet'
          : `${c.cursorAgeHours} h (Salesforce keeps events ${c.retentionHours} h)`,
      stale,
      failures: c.consecutiveFailures,
    }
  }

  get figures() {
    const w = this.worker
    return [
      { key: 'pending', label: 'Writes pending', value: count(w.writer && w.writer.pending) },
      {
        key: 'parked',
        label: 'Writes Salesforce refused',
        value: count(w.writer && w.writer.parked),
      },
      { key: 'amendments', label: 'Parked amendments', value: count(w.parkedAmendments) },
      { key: 'quarantine', label: 'Quarantined inputs', value: count(w.quarantined) },
    ]
  }

  get relay() {
    return (this.status && this.status.relay) || { readable: false, note: '' }
  }

  get hasRelayFailure() {
    return Boolean(this.relay.lastFailureAt)
  }

  get errors() {
    return ((this.worker && this.worker.errors) || []).map((e, i) => ({
      key: `${i}-${e.code}`,
      source: SOURCES[e.source] || e.source,
      at: e.at,
      code: e.code,
    }))
  }

  get hasErrors() {
    return this.errors.length > 0
  }
}
