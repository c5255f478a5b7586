--- Git history and contents for flows that walk commits (rig.bisect): revisions resolved to
--- commits, the first-parent line between two of them, and a commit's files written into a
--- folder. Nothing here touches the repository's working tree, index, refs or bisect state:
--- git reads history (`log`, `rev-parse`, `merge-base`) and `archive` writes the files, so a
--- user's checkout and their own `git bisect` are left as they were. docs/triage.md.
local check = require "rig.check"
local proc = require "rig.proc"

local M = {}

local GIT_TIMEOUT = 120

-- git's own failure as a rig.Error-shaped `nil, err`: the code names what failed, the message
-- carries git's first line of stderr.
local function failed(code, what, r)
  local detail = r and ((r.stderr or ""):match("[^\n]+") or ("exit " .. tostring(r.code))) or "git did not start"
  return nil, { code = code, message = what .. ": " .. detail }
end

local function git(repo, args, opts)
  local spec = { "git", "-C", repo }
  for _, a in ipairs(args) do spec[#spec + 1] = a end
  spec.timeout = GIT_TIMEOUT
  -- git's pager, prompts and the user's aliases stay out of what is parsed here.
  spec.env = { GIT_PAGER = "cat", GIT_TERMINAL_PROMPT = "0", LC_ALL = "C" }
  if opts then for k, v in pairs(opts) do spec[k] = v end end
  local r, err = proc.run(spec)
  if not r then return nil, err end
  return r
end

--- The full commit id a revision names in `repo` (a branch, tag, `HEAD~3`, a short id), or
--- `nil, err` (err.code: `git_missing`, `not_a_repository`, `unknown_revision`).
---@param repo string
---@param rev string
---@return string? sha
---@return rig.Error? err
function M.resolve(repo, rev)
  check.arg("resolve", 1, repo, check.PATH)
  check.arg("resolve", 2, rev, { "string", nonempty = true })
  if rev:sub(1, 1) == "-" then
    return nil, { code = "unknown_revision", message = ("%q is not a revision (it starts with -)"):format(rev) }
  end
  local r, err = git(repo, { "rev-parse", "--git-dir" })
  if not r then return nil, { code = "git_missing", message = "git: " .. tostring(err and err.message) } end
  if not r.ok then return failed("not_a_repository", repo .. " is not a git repository", r) end
  r = git(repo, { "rev-parse", "--verify", "--quiet", "--end-of-options", rev .. "^{commit}" })
  if not r or not r.ok then
    return nil, { code = "unknown_revision", message = ("%s names no commit in %s"):format(rev, repo) }
  end
  return (r.stdout:match("^(%x+)"))
end

---@class rig.GitCommit
---@field sha string
---@field subject string
---@field time integer commit time, seconds since the epoch

--- The commits after `good` up to and including `bad`, oldest first, along the first-parent
--- line (a merged branch counts as its merge commit), or `nil, err` (err.code as `resolve`'s,
--- or `not_ancestor` when `good` is not an ancestor of `bad`).
---@param repo string
---@param good string
---@param bad string
---@return rig.GitCommit[]? commits
---@return rig.Error? err
function M.commits(repo, good, bad)
  check.arg("commits", 1, repo, check.PATH)
  check.arg("commits", 2, good, { "string", nonempty = true })
  check.arg("commits", 3, bad, { "string", nonempty = true })
  local g, gerr = M.resolve(repo, good)
  if not g then return nil, gerr end
  local b, berr = M.resolve(repo, bad)
  if not b then return nil, berr end
  local r = git(repo, { "merge-base", "--is-ancestor", g, b })
  if not r or r.code ~= 0 then
    if r and r.code == 1 then
      return nil, { code = "not_ancestor", message = ("the good revision %s is not an ancestor of the bad one %s")
        :format(good, bad) }
    end
    return failed("git_failed", "git merge-base", r)
  end
  r = git(repo, { "log", "--first-parent", "--reverse", "--format=%H%x09%ct%x09%s", g .. ".." .. b })
  if not r or not r.ok then return failed("git_failed", "git log", r) end
  local out = {}
  for line in r.stdout:gmatch("[^\n]+") do
    local sha, t, subject = line:match("^(%x+)\t(%d+)\t(.*)$")
    if sha then out[#out + 1] = { sha = sha, time = math.tointeger(tonumber(t)) or 0, subject = subject } end
  end
  return out
end

--- The subject line and commit time of one commit: {sha, subject, time}, or `nil, err`.
---@param repo string
---@param sha string
---@return rig.GitCommit? commit
---@return rig.Error? err
function M.commit(repo, sha)
  check.arg("commit", 1, repo, check.PATH)
  check.arg("commit", 2, sha, { "string", pattern = "^%x+$", what = "a commit id" })
  local r = git(repo, { "log", "-1", "--format=%H%x09%ct%x09%s", sha })
  if not r or not r.ok then return failed("git_failed", "git log " .. sha, r) end
  local full, t, subject = r.stdout:match("^(%x+)\t(%d+)\t([^\n]*)")
  if not full then return nil, { code = "git_failed", message = "git log " .. sha .. ": no commit" } end
  return { sha = full, time = math.tointeger(tonumber(t)) or 0, subject = subject }
end

--- Writes the files of commit `sha` into the folder `dir` (created; it should be empty), as
--- `git archive` sees them (no `.git`, no submodules, `export-ignore` honoured). Returns true,
--- or `nil, err` (err.code `git_failed`, `tar_failed`).
---@param repo string
---@param sha string
---@param dir string
---@return boolean? ok
---@return rig.Error? err
function M.export(repo, sha, dir)
  check.arg("export", 1, repo, check.PATH)
  check.arg("export", 2, sha, { "string", pattern = "^%x+$", what = "a commit id" })
  check.arg("export", 3, dir, check.PATH)
  local fs = require "rig.fs"
  local ok, err = pcall(fs.mkdir, dir)
  if not ok then
    return nil, { code = "bad_output", message = tostring(type(err) == "table" and err.message or err) }
  end
  local tar = dir .. "/.rig-export.tar"
  local r = git(repo, { "archive", "--format=tar", "-o", tar, sha })
  if not r or not r.ok then
    pcall(fs.remove, tar)
    return failed("git_failed", "git archive " .. sha:sub(1, 12), r)
  end
  local t = proc.run { "tar", "-xf", tar, "-C", dir, timeout = GIT_TIMEOUT }
  pcall(fs.remove, tar)
  if not t or not t.ok then return failed("tar_failed", "tar -xf", t) end
  return true
end

--- The short form of a commit id shown in reports (12 characters).
---@param sha string
---@return string
function M.short(sha)
  check.arg("short", 1, sha, "string")
  return sha:sub(1, 12)
end

return M
