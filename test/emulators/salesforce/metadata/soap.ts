import type { EmuRequest, EmuResponse } from '../../common/router.ts'
import type { Org } from '../org.ts'
import type { DeployJob, DeployMessage, MetadataDeploys } from './deploy.ts'

const NS = 'http://soap.sforce.com/2006/04/metadata'

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
}

/** A SOAP fault as the Metadata API sends one (HTTP 500, `sf:` fault code). */
function fault(code: string, message: string): EmuResponse {
  return {
    status: 500,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    text: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="${NS}"><soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${escape(`${code}: ${message}`)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  }
}

const ok = (body: string): EmuResponse => ({
  status: 200,
  headers: { 'content-type': 'text/xml; charset=utf-8' },
  text: envelope(body),
})

/** The text of the first `<name>` element (any namespace prefix), or undefined. */
function element(xml: string, name: string): string | undefined {
  return new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`).exec(
    xml,
  )?.[1]
}

const fields = (o: Record<string, string | number | boolean | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${escape(String(v))}</${k}>`)
    .join('')

const messageXml = (m: DeployMessage) => fields({ ...m })

function resultXml(job: DeployJob, createdBy: string, details: boolean): string {
  const detail = details
    ? `<details>${job.failures.map((m) => `<componentFailures>${messageXml(m)}</componentFailures>`).join('')}${job.successes
        .map((m) => `<componentSuccesses>${messageXml(m)}</componentSuccesses>`)
        .join('')}</details>`
    : ''
  return `<result>${fields({
    checkOnly: job.checkOnly,
    completedDate: job.completedDate,
    createdBy,
    createdByName: 'Integration',
    createdDate: job.createdDate,
  })}${detail}${fields({
    done: true,
    errorMessage: job.errorMessage,
    errorStatusCode: job.errorStatusCode,
    id: job.id,
    ignoreWarnings: false,
    lastModifiedDate: job.completedDate,
    numberComponentErrors: job.failures.length,
    numberComponentsDeployed: job.success ? job.successes.length - 1 : 0,
    numberComponentsTotal: job.successes.length - 1 + job.failures.length,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: job.rollbackOnError,
    runTestsEnabled: false,
    startDate: job.createdDate,
    status: job.status,
    success: job.success,
  })}</result>`
}

/**
 * The Metadata API's SOAP endpoint (`/services/Soap/m/<version>`) for what `sf project deploy`
 * and source-deploy-retrieve send by default: `deploy` (base64 zip + DeployOptions), answered
 * with an AsyncResult, and `checkDeployStatus` (with or without details). The session id comes
 * in the SOAP header, as jsforce sends it; a bad one is the `INVALID_SESSION_ID` fault.
 * https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm
 */
export function metadataSoap(org: Org, deploys: MetadataDeploys, req: EmuRequest): EmuResponse {
  const sessionId = element(req.rawBody, 'sessionId')?.trim()
  const session = sessionId
    ? org.auth.authenticate({ authorization: `Bearer ${sessionId}` })
    : undefined
  if (!session)
    return fault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session')
  const body = element(req.rawBody, 'Body') ?? ''
  const deploy = element(body, 'deploy')
  if (deploy !== undefined) {
    const options = element(deploy, 'DeployOptions') ?? ''
    const flag = (name: string, fallback: boolean) => {
      const v = element(options, name)?.trim()
      return v === undefined ? fallback : v === 'true'
    }
    const job = deploys.start(
      (element(deploy, 'ZipFile') ?? '').replace(/\s+/g, ''),
      {
        checkOnly: flag('checkOnly', false),
        rollbackOnError: flag('rollbackOnError', true),
        singlePackage: flag('singlePackage', false),
      },
      session.userId,
    )
    return ok(
      `<deployResponse><result><done>false</done><id>${job.id}</id><state>Queued</state></result></deployResponse>`,
    )
  }
  const check = element(body, 'checkDeployStatus')
  if (check !== undefined) {
    const id = element(check, 'asyncProcessId')?.trim() ?? ''
    const job = deploys.get(id)
    if (!job) return fault('INVALID_ID_FIELD', `Invalid id: ${id}`)
    const details = element(check, 'includeDetails')?.trim() === 'true'
    return ok(
      `<checkDeployStatusResponse>${resultXml(job, session.userId, details)}</checkDeployStatusResponse>`,
    )
  }
  const method = /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(req.rawBody)?.[1] ?? 'unknown'
  return fault('INVALID_TYPE', `The emulator does not implement the Metadata API call ${method}.`)
}
