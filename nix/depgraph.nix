# depgraph packaged for Nix users. Call it from nixpkgs:
#   nix-build -E 'with import <nixpkgs> {}; callPackage ./nix/depgraph.nix {}'
# better-sqlite3 builds a native addon, so node-gyp needs python3 and a C++
# compiler (stdenv provides the compiler).
{ lib, buildNpmPackage, nodejs_20, python3 }:

buildNpmPackage {
  pname = "depgraph";
  version = "0.1.0";

  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../package.json
      ../package-lock.json
      ../tsconfig.json
      ../bin
      ../commands
      ../src
    ];
  };

  nodejs = nodejs_20;

  # TODO: set to the hash that the first build reports; no build of this
  # expression has run yet, so the hash of package-lock.json is unknown.
  npmDepsHash = lib.fakeHash;

  nativeBuildInputs = [ python3 ];

  # `npm run build` compiles TypeScript into dist/; the package ships bin/ and dist/.
  npmBuildScript = "build";

  meta = {
    description = "Measure what deploying an application costs in bytes across Podman images, Nix closures and OSv disk images";
    license = lib.licenses.mit;
    mainProgram = "depgraph";
    platforms = lib.platforms.linux;
  };
}
