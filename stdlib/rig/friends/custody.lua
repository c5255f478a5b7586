--- Where a friend suite's sources are and whether they are what its manifest pins: clone,
--- fetch and check out git suites, then Molt's custody check (HEAD is the pinned ref and the
--- tree is clean: no changes, no ignored files), before and after the run. Part of rig.friends.
local fs = require "rig.fs"
local json = require "rig.json"
local proc = require "rig.proc"

local M = {}

-- git in `dir`: its trimmed stdout when it succeeded (else nil), and its trimmed stderr.
local function git(dir, ...)
  local r = proc.run { "git", "-C", dir, ... }
  if not r then return nil, "git could not start" end
  return r.ok and (r.stdout or ""):gsub("^%s+", ""):gsub("%s+$", "") or nil, (r.stderr or ""):gsub("%s+$", "")
end

-- Python's repr of a plain string, as Molt's messages quote refs.
local function repr(s) return "'" .. tostring(s):gsub("\\", "\\\\"):gsub("'", "\\'") .. "'" end

-- Molt's SourceCustody with nothing verified yet (`not_acquired`: a git suite's ref and tree
-- count as unverified, a local one's as not applicable).
function M.unverified(suite, overridden)
  local is_git = suite.source == "git"
  return json.object({ source = suite.source, requested_ref = suite.requested_ref or json.null,
    expected_ref = json.null, head_ref = json.null, ref_verified = is_git and false or json.null,
    git_clean = is_git and false or json.null, git_status_porcelain = json.null, git_ignored_artifacts = json.null,
    suite_root_overridden = overridden == true, verification = "not_acquired" })
end

-- Where a suite's sources are and the custody record before the run (Molt's _acquire_suite):
-- the root, nil (or nil and why, in Molt's words), and the custody record. A dry run checks
-- nothing and runs no git.
function M.acquire(ctx, suite, opts)
  local override = (opts.suite_roots or {})[suite.id]
  local custody = M.unverified(suite, override ~= nil)
  local function relative(path) return path:match("^/") and path or fs.join(ctx.values.repo_root, path) end
  if suite.source == "local" then
    local root = relative(override or suite.local_path)
    if not ctx.dry_run and not fs.exists(root) then
      return nil, ("suite %s: local path not found: %s"):format(suite.id, root), custody
    end
    custody.requested_ref, custody.ref_verified, custody.git_clean = json.null, json.null, json.null
    custody.verification = ctx.dry_run and "dry_run" or "local_path_exists"
    return fs.realpath(root) or root, nil, custody
  end
  local root = override and relative(override) or fs.join(opts.repos_root, suite.id)
  if opts.checkout and not override then
    if not ctx.dry_run and not fs.exists(root) then
      fs.mkdir(opts.repos_root)
      local r = proc.run { "git", "clone", suite.repo_url, root, timeout = suite.timeout_sec }
      if not (r and r.ok) then
        return nil, ("suite %s: git clone failed: %s"):format(suite.id,
          r and (r.stderr or ""):match("^%s*(.-)%s*$") or "git could not start"), custody
      end
    elseif ctx.dry_run then
      fs.mkdir(opts.repos_root) -- as Molt's: the folder of the clones is made
    end
    if opts.fetch and not ctx.dry_run then
      local out, ferr = git(root, "fetch", "--all", "--tags", "--prune")
      if not out then return nil, ("suite %s: git fetch failed: %s"):format(suite.id, ferr), custody end
    end
    if not ctx.dry_run then
      local out, cerr = git(root, "checkout", "--detach", suite.requested_ref)
      if not out then
        return nil, ("suite %s: git checkout %s failed: %s"):format(suite.id, suite.requested_ref, cerr), custody
      end
    end
  end
  if ctx.dry_run then
    custody.ref_verified, custody.git_clean, custody.verification = json.null, json.null, "dry_run"
    return root, nil, custody
  end
  if not fs.exists(root) then
    return nil, ("suite %s: repo checkout missing at %s; run with --checkout or --suite-root <suite>=<path>")
      :format(suite.id, root), custody
  end
  return fs.realpath(root) or root, nil, custody
end

-- Molt's custody check (_verify_git_source_custody): HEAD is the pinned ref and the tree is
-- clean (no changes, no ignored files). Fills `custody` and returns nil when it holds, else
-- why not, in Molt's words. After the run (`after`), a dirty tree is recorded and reported
-- as Molt's post-run failure instead.
function M.check_custody(root, suite, custody, verification, after)
  local id, ref = suite.id, suite.requested_ref
  local inside, ierr = git(root, "rev-parse", "--is-inside-work-tree")
  if inside ~= "true" then
    return ("suite %s: suite root is not a git checkout: %s"):format(id, ierr ~= "" and ierr or tostring(inside))
  end
  local head, herr = git(root, "rev-parse", "HEAD")
  if not head then return ("suite %s: git rev-parse HEAD failed: %s"):format(id, herr) end
  local expected, eerr = git(root, "rev-parse", "--verify", ref .. "^{commit}")
  if not expected then
    return ("suite %s: requested repo_ref %s does not resolve: %s"):format(id, repr(ref), eerr)
  end
  if expected ~= head then
    return ("suite %s: checked-out HEAD %s does not match requested repo_ref %s (%s)"):format(id, head, repr(ref),
      expected)
  end
  local status, serr = git(root, "status", "--porcelain")
  if not status then return ("suite %s: git status failed: %s"):format(id, serr) end
  local ignored, gerr = git(root, "ls-files", "--others", "--ignored", "--exclude-standard")
  if not ignored then return ("suite %s: git ignored-file custody scan failed: %s"):format(id, gerr) end
  custody.expected_ref, custody.head_ref, custody.ref_verified = expected, head, true
  custody.git_status_porcelain, custody.git_ignored_artifacts = status, ignored
  custody.git_clean = status == "" and ignored == ""
  custody.verification = verification
  if after then
    local details = {}
    if status ~= "" then details[#details + 1] = "git checkout is dirty after suite execution:\n" .. status end
    if ignored ~= "" then
      details[#details + 1] = "git checkout contains ignored artifacts after suite execution:\n" .. ignored
    end
    if #details > 0 then
      return ("suite %s: post-run source custody check failed; %s"):format(id, table.concat(details, "\n"))
    end
    return nil
  end
  if status ~= "" then
    return ("suite %s: git checkout is dirty; refusing off-the-shelf benchmark custody:\n%s"):format(id, status)
  end
  if ignored ~= "" then
    return ("suite %s: git checkout contains ignored artifacts; refusing off-the-shelf benchmark custody:\n%s")
      :format(id, ignored)
  end
end

return M
