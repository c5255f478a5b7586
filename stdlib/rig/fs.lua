--- Files and paths. Writes are atomic (temporary file in the same directory, fsync, rename),
--- so a crash or a kill leaves the old file or the new one, never half of one. Failures of
--- the environment return `nil, err` with `err.code` ("not_found", "permission_denied",
--- "exists", "not_a_directory", "is_a_directory", "not_empty", "no_space", "refused",
--- "io_error") and `err.errno`.
local native = require "rig._native.fs"
local check = require "rig.check"

local M = {}

local function check_string(fname, n, v) check.arg(fname, n, v, "string", 1) end
local function check_path(fname, n, v) check.arg(fname, n, v, check.PATH, 1) end

--- The contents of a file (bytes), or nil, err.
function M.read(path) check_path("read", 1, path) return native.read(path) end

--- Replaces `path` with `data` atomically; true, or nil, err. `data` may be a list of
--- strings, written one after the other without joining them first.
---@param path string
---@param data string|string[]
function M.write(path, data)
  check_path("write", 1, path)
  if type(data) == "table" then
    for i = 1, #data do
      if type(data[i]) ~= "string" then
        error(("bad argument #2 to 'write' (item %d is a %s, not a string)"):format(i, type(data[i])), 2)
      end
    end
  else
    check_string("write", 2, data)
  end
  return native.write(path, data)
end

--- Appends `data` (one write, so whole lines from concurrent writers do not interleave).
---@param sync? boolean fsync after writing
function M.append(path, data, sync)
  check_path("append", 1, path)
  check_string("append", 2, data)
  return native.append(path, data, sync)
end

--- Appends one JSON line (`rig.json.encode(value)` and a newline).
function M.append_jsonl(path, value, sync)
  check_path("append_jsonl", 1, path)
  local line = require("rig.json").encode(value)
  return native.append(path, line .. "\n", sync)
end

--- Takes an exclusive advisory lock (flock) on an existing lock file without waiting.
--- Returns a lock (`:unlock()`; released at `<close>` and by the collector too), `false`
--- when another process holds it, or nil, err. A missing lock file gives a lock that holds
--- nothing (nobody can hold it; nothing is created).
---@param path string
---@return rig.Lock|false|nil lock
---@return rig.Error? err
function M.try_lock(path) check_path("try_lock", 1, path) return native.try_lock(path) end

--- true when `path` exists (links are not followed).
function M.exists(path) check_path("exists", 1, path) return native.stat(path) ~= nil end

--- {size, mtime, kind ("file"|"directory"|"link"|"other"), mode}, or nil when it does not
--- exist (nil, err for other failures).
function M.stat(path) check_path("stat", 1, path) return native.stat(path) end

--- Entry names of a directory, sorted.
function M.list(path) check_path("list", 1, path) return native.list(path) end

--- Paths matching a shell pattern (`*`, `?`, `[...]`, `{a,b}`, `~`), sorted.
function M.glob(pattern) check_path("glob", 1, pattern) return native.glob(pattern) end

--- Every entry below a directory: {path, kind, size, mtime}, depth first; links not followed.
function M.walk(path) check_path("walk", 1, path) return native.walk(path) end

--- mkdir -p.
function M.mkdir(path) check_path("mkdir", 1, path) return native.mkdir(path) end

--- Removes a file or an empty directory.
function M.remove(path) check_path("remove", 1, path) return native.remove(path) end

--- Removes a directory tree; refuses `/`, the home directory, and paths not inside `root`
--- (links resolved). Returns the number of entries removed.
function M.remove_tree(path, root)
  check_path("remove_tree", 1, path)
  check_path("remove_tree", 2, root)
  return native.remove_tree(path, root)
end

--- Copies a file (atomically at the destination, keeping its mode).
function M.copy(from, to)
  check_path("copy", 1, from)
  check_path("copy", 2, to)
  return native.copy(from, to)
end

--- A new private temporary directory.
function M.tmpdir(prefix) return native.tmpdir(prefix) end

--- {bytes, files}: total size of the regular files below a directory.
function M.tree_size(path) check_path("tree_size", 1, path) return native.tree_size(path) end

--- The canonical absolute path (links resolved) of an existing path, or nil.
function M.realpath(path) check_path("realpath", 1, path) return native.realpath(path) end

-- Paths (pure string operations; nothing touches the disk).

--- Joins path parts with "/"; an absolute part restarts the path.
function M.join(...)
  local out = ""
  for i = 1, select("#", ...) do
    local part = select(i, ...)
    check_string("join", i, part)
    if part:sub(1, 1) == "/" or out == "" then
      out = part
    elseif part ~= "" then
      out = out:gsub("/+$", "") .. "/" .. part
    end
  end
  return out
end

--- Removes "." parts, folds ".." where possible, and collapses repeated slashes.
function M.normalize(path)
  check_string("normalize", 1, path)
  local absolute = path:sub(1, 1) == "/"
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts > 0 and parts[#parts] ~= ".." then
        parts[#parts] = nil
      elseif not absolute then
        parts[#parts + 1] = ".."
      end
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  local joined = table.concat(parts, "/")
  if absolute then return "/" .. joined end
  return joined == "" and "." or joined
end

--- An absolute path for `path`, as Python's `Path(path).expanduser()` made absolute against the
--- working folder (normalized; links not resolved, the path need not exist): "~/" is $HOME.
function M.absolute(path)
  check_string("absolute", 1, path)
  local home = os.getenv("HOME")
  if home and (path == "~" or path:sub(1, 2) == "~/") then path = home .. path:sub(2) end
  if path:sub(1, 1) ~= "/" then path = (native.realpath(".") or os.getenv("PWD") or "/") .. "/" .. path end
  return M.normalize(path)
end

--- The last part of a path ("a/b.json" -> "b.json").
function M.basename(path) check_string("basename", 1, path) return (path:gsub("/+$", "")):match("([^/]*)$") end

--- Everything but the last part ("a/b.json" -> "a"; "b.json" -> ".").
function M.dirname(path)
  check_string("dirname", 1, path)
  local trimmed = path:gsub("/+$", "")
  local dir = trimmed:match("^(.*)/[^/]*$")
  if dir == nil then return "." end
  return dir == "" and "/" or dir
end

--- The extension with its dot ("b.tar.gz" -> ".gz"; "Makefile" -> "").
function M.extension(path)
  local base = M.basename(path)
  return base:match("^.+(%.[^.]+)$") or ""
end

--- The last part without its extension ("a/bench_fib.py" -> "bench_fib").
function M.stem(path)
  local base = M.basename(path)
  return base:match("^(.+)%.[^.]+$") or base
end

return M
