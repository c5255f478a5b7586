-- Runs busted-style spec files inside Rig (so they can use the host API):
--   rig run spec stdlib/spec/*_spec.lua
return rig.recipe {
  description = "Run Lua spec files (describe/it/assert) inside Rig.",
  params = {
    { "files", type = "list", of = "path", positional = true, required = true, metavar = "SPEC",
      help = "spec files to run" },
    { "filter", help = "run only the tests whose full name contains this text" },
  },
  examples = { "rig run spec stdlib/spec/*_spec.lua", "rig run spec my_spec.lua --filter parse" },
  run = function(params)
    local passed, failed, pending = 0, 0, 0
    for _, file in ipairs(params.files) do
      local result = rig.spec.run_file(file, { filter = params.filter })
      passed, failed, pending = passed + result.passed, failed + result.failed, pending + result.pending
      io.stdout:write(("%s: %d passed, %d failed\n"):format(file, result.passed, result.failed))
    end
    io.stdout:write(("%d passed, %d failed"):format(passed, failed),
      pending > 0 and (", %d skipped\n"):format(pending) or "\n")
    return failed == 0
  end,
}
