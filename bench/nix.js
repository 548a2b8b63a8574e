// The Nix benchmark, for bench/run.js to import; bench/nix.mjs also runs alone.
export {runNixBench} from './nix.mjs'
