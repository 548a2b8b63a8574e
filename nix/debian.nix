# Debian packages as Nix store paths: one store path per package, unpacked
# from its .deb, whose nix-support/depends file records the store paths of
# the packages it depends on, so that Nix finds them as references.
#
# `packages` is a JSON file written by fixtures/nix/packages.mjs:
#   { packages.<name> = { storeName, deb, depends = [names] }; roots.<closure> = [names] }
# Building needs no nixpkgs: the builder is /bin/sh with the host's dpkg-deb.
{ packages }:

let
  spec = builtins.fromJSON (builtins.readFile packages);

  # Write the store paths of `inputs`, one a line, to $out/nix-support/depends.
  recordDepends = ''
    /bin/mkdir -p "$out/nix-support"
    for path in $inputs; do echo "$path"; done > "$out/nix-support/depends"
  '';

  debianPackage = name: attrs: derivation {
    name = attrs.storeName;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    # Nix rejects setuid and setgid files, so tar drops those mode bits.
    args = [ "-c" (''
      set -e
      /bin/mkdir -p "$out"
      /usr/bin/dpkg-deb --fsys-tarfile "$deb" | /bin/tar -x --no-same-permissions --no-same-owner -C "$out"
    '' + recordDepends) ];
    PATH = "/usr/bin:/bin";
    deb = builtins.path { path = attrs.deb; name = "${attrs.storeName}.deb"; };
    inputs = map (dependency: debianPackages.${dependency}) attrs.depends;
  };

  debianPackages = builtins.mapAttrs debianPackage spec.packages;

  # A closure root: a store path that only refers to the given packages.
  closure = name: roots: derivation {
    name = "${name}-closure";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" ("set -e\n" + recordDepends) ];
    inputs = map (root: debianPackages.${root}) roots;
  };
in
builtins.mapAttrs closure spec.roots // { inherit debianPackages; }
