import Foundation
import PackagePlugin

/// Compiles the hook programs in the package's top-level `hooks/` folder into the GitHooks
/// module, so `mlflow-git install` writes them from there and the executable carries them.
///
/// Each file becomes a raw string constant of `HookPrograms`, named after the file in lower
/// camel case (`versioning-hook` → `versioningHook`); the build fails when a file contains the
/// sequence that would end a raw string.
@main
struct EmbedHooks: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let folder = context.package.directoryURL.appending(path: "hooks")
    let programs = ["versioning-hook", "forwarding-hook"].map { folder.appending(path: $0) }
    let output = context.pluginWorkDirectoryURL.appending(path: "HookPrograms.swift")
    return [
      .buildCommand(
        displayName: "Embedding hooks/ into \(target.name)",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", Self.script, "embed-hooks", output.path] + programs.map(\.path),
        inputFiles: programs,
        outputFiles: [output])
    ]
  }

  /// Writes `$1` from the files after it: `enum HookPrograms` with one raw string per file.
  static let script = ##"""
    set -eu
    output=$1; shift
    {
      printf '// Generated from the package'"'"'s hooks/ folder by the EmbedHooks plugin: edit the files there.\n\n'
      printf '/// The hook programs of the package'"'"'s top-level `hooks/` folder, as shipped.\n'
      printf 'enum HookPrograms {\n'
      for file do
        if grep -q '"""#' "$file"; then echo "$file: contains \"\"\"#, which would end its Swift raw string" >&2; exit 1; fi
        name=$(basename "$file" | awk -F- '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf "%s", toupper(substr($i, 1, 1)) substr($i, 2) }')
        printf '  /// `hooks/%s`.\n  static let %s = #"""\n' "$(basename "$file")" "$name"
        cat "$file"
        printf '\n"""#\n'
      done
      printf '}\n'
    } > "$output.partial"
    mv "$output.partial" "$output"
    """##
}
