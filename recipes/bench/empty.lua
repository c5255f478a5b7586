-- The empty recipe whose startup recipes/bench/host.lua measures.
return rig.recipe { description = "Does nothing.", run = function() end }
