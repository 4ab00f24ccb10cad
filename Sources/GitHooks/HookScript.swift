/// The hook mlflow-git installs for each event, as a POSIX shell script.
///
/// It must add only milliseconds to `git commit`, so it uses shell built-ins only: it reads
/// `HEAD` and the branch's ref file, appends one line per new state to the journal
/// (`<git common dir>/mlflow-git/journal`, mode 0600), and starts `mlflow-git sync --background`
/// detached, with no terminal, so git never waits for it. A hook that was there before is kept
/// as `<event>.mlflow-git-previous` and runs first, with the same arguments and standard input;
/// its exit status is the hook's. Our part never fails and never prints.
///
/// Detached `HEAD` writes nothing: a rebase's intermediate commits are registered from the
/// final list `post-rewrite` gives. A file checkout (`post-checkout` flag 0) changes no version.
public enum HookScript {
  /// The events mlflow-git hooks into.
  public static let events = ["post-commit", "post-checkout", "post-merge", "post-rewrite"]
  /// A line that marks a hook file as mlflow-git's.
  public static let marker = "# mlflow-git hook"
  /// The suffix of a user's hook kept to run before ours.
  public static let previousSuffix = ".mlflow-git-previous"

  /// The script, calling the `mlflow-git` executable at `executablePath`.
  public static func text(executablePath: String) -> String {
    let quoted = "'" + executablePath.replacing( "'", with: "'\\''") + "'"
    return """
      #!/bin/sh
      \(marker) (installed by `mlflow-git install`; `mlflow-git uninstall` restores what was here).
      # Records the new Git state for MLflow and hands it to a background worker. Never fails git.
      mlflow_git=\(quoted)
      event=${0##*/}
      input=
      if [ "$event" = post-rewrite ]; then
        while IFS= read -r line; do input="$input$line
      "; done
      fi
      status=0
      if [ -x "$0\(previousSuffix)" ]; then
        if [ "$event" = post-rewrite ]; then
          printf '%s' "$input" | "$0\(previousSuffix)" "$@"; status=$?
        else
          "$0\(previousSuffix)" "$@"; status=$?
        fi
      fi
      mlflow_git_record() {
        umask 077
        tab='\t'
        gitdir=${GIT_DIR:-.git}
        if [ -z "$GIT_DIR" ] && [ -f .git ]; then read -r _ gitdir < .git || return; fi
        case $gitdir in /*) ;; *) gitdir=$PWD/$gitdir ;; esac
        common=$gitdir
        if [ -f "$gitdir/commondir" ]; then
          read -r common < "$gitdir/commondir" || return
          case $common in /*) ;; *) common=$gitdir/$common ;; esac
        fi
        read -r head < "$gitdir/HEAD" || return
        case $head in "ref: refs/heads/"*) ;; *) return ;; esac
        [ -d "$common/mlflow-git" ] || mkdir -p "$common/mlflow-git" || return
        case $event in
          post-rewrite)
            lines=
            while read -r old new rest; do
              [ -n "$new" ] && lines="${lines}v1${tab}$event${tab}$head${tab}$new${tab}$gitdir
      "
            done <<EOF_REWRITTEN
      $input
      EOF_REWRITTEN
            [ -n "$lines" ] || return
            printf '%s' "$lines" >> "$common/mlflow-git/journal" || return ;;
          post-checkout)
            [ "$3" = 1 ] || return
            printf '%s\\n' "v1${tab}$event${tab}$head${tab}$2${tab}$gitdir" >> "$common/mlflow-git/journal" || return ;;
          *)
            commit=-
            [ -f "$common/${head#ref: }" ] && read -r commit < "$common/${head#ref: }"
            printf '%s\\n' "v1${tab}$event${tab}$head${tab}$commit${tab}$gitdir" >> "$common/mlflow-git/journal" || return ;;
        esac
        "$mlflow_git" sync --background </dev/null >/dev/null 2>&1 &
      }
      mlflow_git_record "$@" </dev/null >/dev/null 2>&1
      exit $status

      """
  }
}
