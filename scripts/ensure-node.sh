# Sourced, not run: puts a Node >= 22 first on PATH. When the system's Node is older (these machines ship 20),
# installs node@24 from the npm registry into .tools/ once and uses that.
_pw_root=$(pwd)
_pw_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_pw_major" -lt 22 ]; then
  if [ ! -x "$_pw_root/.tools/node_modules/.bin/node" ]; then
    echo "pitwall: system Node is ${_pw_major:-missing}; installing Node 24 from the npm registry into .tools/ …" >&2
    npm install --prefix "$_pw_root/.tools" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  PATH="$_pw_root/.tools/node_modules/.bin:$PATH"
  export PATH
fi
