--- Where a friend suite's sources are and whether they are what its manifest pins: clone,
--- fetch and check out git suites, then Molt's custody check (HEAD is the pinned ref and the
--- tree is clean: no changes, no ignored files), before and after the run. Part of rig.friends.
local fs = require "rig.fs"
local json = require "rig.json"
local proc = require "rig.proc"
local util = require "rig.util"

local M = {}

local function git(dir, ...)
  local r = proc.run { "git", "-C", dir, ... }
  if not r then return nil, "git could not start" end
  return r.ok and (r.stdout or ""):gsub("%s+$", "") or nil, (r.stderr or ""):gsub("%s+$", "")
end

-- Where a suite's sources are, and whether they are what the manifest pins (Molt's custody).
function M.acquire(ctx, suite, opts)
  local custody = json.object({ source = suite.source, requested_ref = suite.requested_ref or json.null,
    expected_ref = json.null, head_ref = json.null, ref_verified = false, git_clean = json.null,
    git_status_porcelain = json.null, git_ignored_artifacts = json.array({}),
    suite_root_overridden = false, verification = "not_acquired" })
  local override = (opts.suite_roots or {})[suite.id]
  if override or suite.source == "local" then
    local root = override or suite.local_path
    if not root:match("^/") then root = fs.join(ctx.values.repo_root, root) end
    custody.suite_root_overridden = override ~= nil
    if not fs.exists(root) then
      return nil, ("suite root %s does not exist"):format(root), custody
    end
    custody.verification = "local_path_exists"
    return fs.realpath(root) or root, nil, custody
  end
  local root = fs.join(opts.repos_root, suite.id)
  if ctx.dry_run then
    custody.verification = "dry_run"
    return root, nil, custody
  end
  if not fs.exists(root) then
    if not opts.checkout then return nil, ("%s is not there and --no-checkout was given"):format(root), custody end
    fs.mkdir(opts.repos_root)
    local r = proc.run { "git", "clone", "--quiet", suite.repo_url, root, timeout = suite.timeout_sec }
    if not (r and r.ok) then
      local why = r and util.tail_lines(r.stderr, 3) or "git could not start"
      return nil, ("git clone %s failed: %s"):format(suite.repo_url, why), custody
    end
  end
  if opts.fetch then
    local _, ferr = git(root, "fetch", "--all", "--tags", "--prune", "--quiet")
    if ferr and ferr ~= "" and not git(root, "rev-parse", "HEAD") then
      return nil, "git fetch failed: " .. ferr, custody
    end
  end
  if opts.checkout then
    local out, cerr = git(root, "checkout", "--quiet", "--detach", suite.requested_ref)
    if not out then return nil, ("git checkout %s failed: %s"):format(suite.requested_ref, cerr), custody end
  end
  return root, nil, custody
end

-- Molt's custody check: HEAD is the pinned ref and the tree is clean (no changes, no ignored
-- files). Fills `custody`; returns nil when it holds, else why not.
function M.check_custody(root, suite, custody, verification)
  if not git(root, "rev-parse", "--is-inside-work-tree") then
    return ("%s is not a git work tree"):format(root)
  end
  local expected = git(root, "rev-parse", suite.requested_ref .. "^{commit}")
  local head = git(root, "rev-parse", "HEAD")
  local status = git(root, "status", "--porcelain") or ""
  local ignored = git(root, "ls-files", "--others", "--ignored", "--exclude-standard") or ""
  custody.expected_ref, custody.head_ref = expected or json.null, head or json.null
  custody.ref_verified = expected ~= nil and expected == head
  custody.git_status_porcelain = status
  local ignored_list = {}
  for line in ignored:gmatch("[^\n]+") do ignored_list[#ignored_list + 1] = line end
  custody.git_ignored_artifacts = json.array(ignored_list)
  custody.git_clean = status == "" and #ignored_list == 0
  custody.verification = verification
  if not expected then return ("ref %s is not in the repository"):format(suite.requested_ref) end
  if not custody.ref_verified then return ("HEAD %s is not the pinned ref %s (%s)"):format(head, suite.requested_ref,
    expected) end
  if not custody.git_clean then
    local first = status:match("[^\n]+") or ignored_list[1]
    return ("the work tree is not clean (%s)"):format(first)
  end
end

return M
