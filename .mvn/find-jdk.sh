# Sourced by ./mvnw, ./wd-mm and .ci/run (POSIX sh): exports JAVA_HOME pointing at a JDK 25+.
# Order: JAVA_HOME if it is 25+, then /usr/lib/jvm/temurin-25-jdk-amd64, then the newest
# JDK 25+ under /usr/lib/jvm. Where there is none, says what to install and fails.
wdmm_java_feature() {
  # prints the feature version (17, 25, ...) of the JDK at $1, or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1
  fi
}
wdmm_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(wdmm_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    v=$(wdmm_java_feature "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      JAVA_HOME=$candidate
      export JAVA_HOME
      return 0
    fi
  done
  echo "wd-mm: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}, nothing suitable under /usr/lib/jvm)." >&2
  echo "wd-mm: install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium repository) or unpack a JDK 25 under /usr/lib/jvm, or set JAVA_HOME to it." >&2
  return 1
}
wdmm_find_jdk || exit 1
