#!/usr/bin/env node
// The reproduction commands arrive with the bench app itself; until then the README's first command says so.
console.log('ddar-bench: the reproduction app (reproduce --profile quick) is not yet available in this version.');
