// sfdx-lwc-jest ships no stub for lightning/actions; jest.config.js maps the module here.
export const CloseActionScreenEvent = class extends CustomEvent {
  constructor() {
    super('close')
  }
}
