// Types for d3-node 4, which ships none: only the parts the renderers use.
declare module 'd3-node' {
  import type * as d3 from 'd3'

  export interface D3NodeOptions {
    selector?: string
    container?: string
    styles?: string
  }

  export class D3Node {
    constructor(options?: D3NodeOptions)
    d3: typeof d3
    document: Document
    window: Window & typeof globalThis
    createSVG(
      width?: number,
      height?: number,
      attrs?: Record<string, string | number>,
    ): d3.Selection<SVGSVGElement, unknown, null, undefined>
    svgString(): string
  }
}
