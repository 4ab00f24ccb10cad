import ChildProcess
import Foundation

/// husky's hook files laid out exactly as husky 9.1.7, 8.0.3 and 4.3.8 write them (read from
/// typicode/husky's `index.js` + `husky`, `src/index.ts` + `husky.sh`, and
/// `src/installer/*.ts` + `sh/husky.sh`), since npm and its registry are not reachable here.
/// Running ``install(version:in:)`` again is what `npm install` does (husky's `prepare`).
package enum HuskyLayout {
  /// husky 9's `husky` file, which `index.js` copies to `.husky/_/h`.
  package static let version9Dispatcher = #"""
    #!/usr/bin/env sh
    [ "$HUSKY" = "2" ] && set -x
    n=$(basename "$0")
    s=$(dirname "$(dirname "$0")")/$n

    [ ! -f "$s" ] && exit 0

    if [ -f "$HOME/.huskyrc" ]; then
    	echo "husky - '~/.huskyrc' is DEPRECATED, please move your code to ~/.config/husky/init.sh"
    fi
    i="${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"
    [ -f "$i" ] && . "$i"

    [ "${HUSKY-}" = "0" ] && exit 0

    export PATH="node_modules/.bin:$PATH"
    sh -e "$s" "$@"
    c=$?

    [ $c != 0 ] && echo "husky - $n script failed (code $c)"
    [ $c = 127 ] && echo "husky - command not found in PATH=$PATH"
    exit $c

    """#

  /// husky 9's hooks: `index.js`'s list, one stub each in `.husky/_`.
  package static let version9Hooks = [
    "pre-commit", "pre-merge-commit", "prepare-commit-msg", "commit-msg", "post-commit", "applypatch-msg",
    "pre-applypatch", "post-applypatch", "pre-rebase", "post-rewrite", "post-checkout", "post-merge", "pre-push",
    "pre-auto-gc",
  ]

  /// husky 9's `.husky/_/husky.sh`: the deprecation message `index.js` writes.
  package static let version9DeprecatedScript = #"""
    echo "husky - DEPRECATED

    Please remove the following two lines from $0:

    #!/usr/bin/env sh
    . \"\$(dirname -- \"\$0\")/_/husky.sh\"

    They WILL FAIL in v10.0.0
    "
    """#

  /// husky 8's `husky.sh`, which `install` copies to `.husky/_/husky.sh`.
  package static let version8Script = #"""
    #!/usr/bin/env sh
    if [ -z "$husky_skip_init" ]; then
      debug () {
        if [ "$HUSKY_DEBUG" = "1" ]; then
          echo "husky (debug) - $1"
        fi
      }

      readonly hook_name="$(basename -- "$0")"
      debug "starting $hook_name..."

      if [ "$HUSKY" = "0" ]; then
        debug "HUSKY env variable is set to 0, skipping hook"
        exit 0
      fi

      if [ -f ~/.huskyrc ]; then
        debug "sourcing ~/.huskyrc"
        . ~/.huskyrc
      fi

      readonly husky_skip_init=1
      export husky_skip_init
      sh -e "$0" "$@"
      exitCode="$?"

      if [ $exitCode != 0 ]; then
        echo "husky - $hook_name hook exited with code $exitCode (error)"
      fi

      if [ $exitCode = 127 ]; then
        echo "husky - command not found in PATH=$PATH"
      fi

      exit $exitCode
    fi

    """#

  /// A team hook file as husky 8's `husky add .husky/<hook> <command>` writes it (mode 0755).
  package static func version8Hook(_ command: String) -> String {
    "#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n\n\(command)\n"
  }

  /// husky 4's hooks (`src/installer/hooks.ts`), each a stub in `.git/hooks`.
  package static let version4Hooks = [
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
    "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "post-update",
    "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
  ]

  /// husky 4's `sh/husky.sh` (the runner every stub sources), version filled in as
  /// `mainScript.ts` does, after the banner.
  package static let version4Script = #"""
    debug () {
      if [ "$HUSKY_DEBUG" = "true" ] || [ "$HUSKY_DEBUG" = "1" ]; then
        echo "husky:debug $1"
      fi
    }

    command_exists () {
      command -v "$1" >/dev/null 2>&1
    }

    run_command () {
      if command_exists "$1"; then
        "$@" husky-run $hookName $gitParams

        exitCode="$?"
        debug "$* husky-run exited with $exitCode exit code"

        if [ $exitCode -eq 127 ]; then
          echo "Can't find Husky, skipping $hookName hook"
          echo "You can reinstall it using 'npm install husky --save-dev' or delete this hook"
        else
          exit $exitCode
        fi

      else
        echo "Can't find $1 in PATH: $PATH"
        echo "Skipping $hookName hook"
        exit 0
      fi
    }

    hookIsDefined () {
      grep -qs $hookName \
        package.json \
        .huskyrc \
        .huskyrc.json \
        .huskyrc.yaml \
        .huskyrc.yml
    }

    huskyVersion="4.3.8"
    gitParams="$*"
    hookName="$(basename "$0")"

    debug "husky v$huskyVersion - $hookName"

    # Skip if HUSKY_SKIP_HOOKS is set
    if [ "$HUSKY_SKIP_HOOKS" = "true" ] || [ "$HUSKY_SKIP_HOOKS" = "1" ]; then
      debug "HUSKY_SKIP_HOOKS is set to $HUSKY_SKIP_HOOKS, skipping hook"
      exit 0
    fi

    # Source user var and change directory
    . "$(dirname "$0")/husky.local.sh"
    debug "Current working directory is $(pwd)"

    # Skip fast if hookName is not defined
    # Don't skip if .huskyrc.js or .huskyrc.config.js are used as the heuristic could
    # fail due to the dynamic aspect of JS. For example:
    # `"pre-" + "commit"` or `require('./config/hooks')`)
    if [ ! -f .huskyrc.js ] && [ ! -f huskyrc.cjs ] && [ ! -f husky.config.js ] && [ ! -f husky.config.cjs ] && ! hookIsDefined; then
      debug "$hookName config not found, skipping hook"
      exit 0
    fi

    # Source user ~/.huskyrc
    if [ -f ~/.huskyrc ]; then
      debug "source ~/.huskyrc"
      . ~/.huskyrc
    fi

    # Set HUSKY_GIT_STDIN from stdin
    case $hookName in
      "pre-push"|"post-rewrite")
        export HUSKY_GIT_STDIN="$(cat)";;
    esac

    # Windows 10, Git Bash and Yarn 1 installer
    if command_exists winpty && test -t 1; then
      exec < /dev/tty
    fi

    # Run husky-run with the package manager used to install Husky
    case $packageManager in
      "npm") run_command npx --no-install;;
      "npminstall") run_command npx --no-install;;
      "pnpm") run_command pnpx --no-install;;
      "yarn") run_command yarn run --silent;;
      *) echo "Unknown package manager: $packageManager"; exit 0;;
    esac

    """#

  /// Lays out husky `version`'s files in `repo` (and sets `core.hooksPath` as husky does), the
  /// way `npm install` runs husky's install: again and again, rewriting them.
  package static func install(version: Int, in repo: String, environment: [String: String]) throws {
    func write(_ text: String, to path: String) throws {
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
    func git(_ arguments: String...) throws {
      let output = try ChildProcess.run("git", arguments: ["-C", repo] + arguments, environment: environment)
      guard output.succeeded else { throw TestFailure("git \(arguments) failed: \(output.standardErrorText)") }
    }
    switch version {
    case 9:
      let folder = repo + "/.husky/_"
      try? FileManager.default.removeItem(atPath: folder + "/husky.sh")
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try write("*", to: folder + "/.gitignore")
      try write(version9Dispatcher, to: folder + "/h")
      for hook in version9Hooks {
        try writeExecutableFile("#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"", to: folder + "/" + hook)
      }
      try write(version9DeprecatedScript, to: folder + "/husky.sh")
      try git("config", "core.hooksPath", ".husky/_")
    case 8:
      try FileManager.default.createDirectory(atPath: repo + "/.husky/_", withIntermediateDirectories: true)
      try write("*", to: repo + "/.husky/_/.gitignore")
      try write(version8Script, to: repo + "/.husky/_/husky.sh")
      try git("config", "core.hooksPath", ".husky")
    default:
      let hooks = repo + "/.git/hooks"
      let banner = "# Created by Husky v4.3.8 (https://github.com/typicode/husky#readme)\n#   At: 12/5/2026, 9:00:00 AM\n"
        + "#   From: \(repo) (undefined)"
      for hook in version4Hooks {
        let path = hooks + "/" + hook
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), !existing.contains("# husky") { continue }
        try writeExecutableFile("#!/bin/sh\n# husky\n\n\(banner)\n\n. \"$(dirname \"$0\")/husky.sh\"\n", to: path)
      }
      try write("\(banner)\n\npackageManager=npm\ncd \".\"\n", to: hooks + "/husky.local.sh")
      try write(banner + "\n\n" + version4Script, to: hooks + "/husky.sh")
    }
  }

  /// A stand-in for husky 4's node runner (`npx --no-install husky-run <hook> <params>`), which
  /// runs the hook's command from package.json as husky-run does; node is not installed here.
  package static let version4Runner = #"""
    #!/bin/sh
    [ "$1 $2" = "--no-install husky-run" ] || exit 127
    command=$(python3 -c 'import json, sys; print(json.load(open("package.json"))["husky"]["hooks"].get(sys.argv[1], ""))' "$3")
    [ -z "$command" ] && exit 0
    HUSKY_GIT_PARAMS="$4" exec sh -c "$command"

    """#
}
