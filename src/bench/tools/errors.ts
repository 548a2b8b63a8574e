/** Errors the tools and the runner raise. */

/** The benchmark tool is not installed. */
export class ToolMissingError extends Error {}

/** The tool's output has no figure where one was expected. */
export class ParseError extends Error {}

/** Throws a ParseError that names the tool, quotes the last line and names the expected figure. */
export function parseFailure(tool: string, output: string, expected: string): never {
  const lines = output.split('\n').map((line) => line.trimEnd())
  const last = lines.filter((line) => line.trim() !== '').pop()
  const quoted = last === undefined ? 'the output is empty' : `last line ${lines.lastIndexOf(last) + 1}: "${last}"`
  throw new ParseError(`Cannot parse ${tool} output: ${expected} not found (${quoted}); check that the tool and its version are supported`)
}

/** Throws a ParseError for one line that does not have the expected form. */
export function lineFailure(tool: string, lineNumber: number, line: string, expected: string): never {
  throw new ParseError(`Cannot parse ${tool} output line ${lineNumber}: "${line}"; expected ${expected}`)
}
