import { accessibilityProblems, assertAccessible } from './utils/assertAccessible'

function host(html) {
  const element = document.createElement('div')
  // The checker is tested on markup written here in the test, never on user input, and jsdom has
  // no other way to build a tree from it.
  // eslint-disable-next-line @lwc/lwc/no-inner-html
  element.innerHTML = html
  document.body.appendChild(element)
  return element
}

describe('assertAccessible', () => {
  afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild)
  })

  it('passes labelled controls, named images and valid aria', () => {
    const element = host(
      '<button>Save</button><button aria-label="Close"></button>' +
        '<label for="q">Quantity</label><input id="q" type="number">' +
        '<img src="x.png" alt=""><div role="img" aria-label="Aging"></div>' +
        '<span id="hint">Help</span><input aria-describedby="hint" aria-label="Note">',
    )
    expect(accessibilityProblems(element)).toEqual([])
    expect(() => assertAccessible(element)).not.toThrow()
  })

  it('reports unnamed buttons, unlabelled inputs, images without alt and bad aria', () => {
    const element = host(
      '<button></button><input type="text"><img src="x.png">' +
        '<div role="banana"></div><div role="img"></div>' +
        '<span aria-labeledby="x"></span><input aria-label="a" aria-describedby="missing">',
    )
    const problems = accessibilityProblems(element)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('<button> has no accessible name'),
        expect.stringContaining('<input> has no label'),
        expect.stringContaining('<img> has no alt text'),
        expect.stringContaining('unknown role "banana"'),
        expect.stringContaining('role="img" has no name'),
        expect.stringContaining('unknown attribute aria-labeledby'),
        expect.stringContaining('aria-describedby points at missing #missing'),
      ]),
    )
    expect(() => assertAccessible(element)).toThrow(/Accessibility problems/)
  })

  it('reports base components without the label they need', () => {
    const element = host('')
    const button = document.createElement('lightning-button')
    const spinner = document.createElement('lightning-spinner')
    spinner.alternativeText = 'Loading'
    element.append(button, spinner)
    expect(accessibilityProblems(element)).toEqual([
      expect.stringContaining('<lightning-button> has no label or title'),
    ])
  })
})
