import { messageOf } from 'c/concordErrors'

describe('c/concordErrors', () => {
  it("shows the server's message, every one of a list, else the error's own, else the fallback", () => {
    expect(messageOf({ body: { message: 'Refused: over the invoice' } }, 'x')).toBe(
      'Refused: over the invoice',
    )
    expect(messageOf({ body: [{ message: 'First.' }, { message: 'Second.' }] }, 'x')).toBe(
      'First. Second.',
    )
    expect(messageOf(new Error('offline'), 'x')).toBe('offline')
    expect(messageOf({ body: {}, status: 500 }, 'Could not load.')).toBe('Could not load.')
    expect(messageOf(undefined, 'Could not load.')).toBe('Could not load.')
  })
})
