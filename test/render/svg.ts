import {DOMParser, type Document, type Element} from '@xmldom/xmldom'

/** Parses an SVG string as XML, failing on any error or warning. */
export function parseSvg(text: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      throw new Error(`SVG does not parse (${level}): ${message}`)
    },
  })
  const document = parser.parseFromString(text, 'image/svg+xml')
  if (document.documentElement?.tagName !== 'svg') throw new Error('root element is not <svg>')
  return document
}

/** Elements whose class attribute lists `className`, in document order. */
export function byClass(document: Document | Element, className: string): Element[] {
  const all = Array.from(document.getElementsByTagName('*'))
  return all.filter((element) => (element.getAttribute('class') ?? '').split(/\s+/).includes(className))
}

/** Text of the document's `<title>` element. */
export function titleOf(document: Document): string {
  const root = document.documentElement as Element
  const title = Array.from(root.childNodes).find((node) => (node as Element).tagName === 'title')
  return title?.textContent ?? ''
}

/** Labels of the legend entries, in order. */
export function legendLabels(document: Document): string[] {
  return byClass(document, 'legend-entry').map((entry) => entry.getAttribute('data-label') ?? '')
}

/** Returns the text content of each element with class `className`. */
export function textsOf(document: Document, className: string): string[] {
  return byClass(document, className).map((element) => element.textContent ?? '')
}
