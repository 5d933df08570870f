// vega-canvas's Node build probes for node-canvas with a top-level await, which CommonJS cannot hold. We render SVG
// only (renderer: 'none'), where vega asks vega-canvas for nothing, so under jest it gets this canvas-less stand-in,
// which answers exactly what vega-canvas answers when node-canvas is not installed.
module.exports = { canvas: () => null, image: () => null };
