---@meta rig
-- LuaCATS declarations for Rig's Lua API, for editors running the Lua language server
-- (see docs/editors.md). Declarations only: nothing here runs. Keep in step with stdlib/rig/.

---@class rig.Error
---@field code string machine-readable failure code ("spawn_failed", "not_found", "usage", ...)
---@field message string human-readable explanation
---@field errno? integer the OS error number, when the failure came from the OS
---@field signal? integer for `interrupted`: the signal number

---@alias rig.ParamType "string"|"number"|"integer"|"boolean"|"path"|"list"|"choice"

---@class rig.Param
---@field [1]? string the name (same as `name`)
---@field name? string letters, digits and `_`; the option is `--name` with `_` written `-`
---@field type? rig.ParamType default: from `default`, else "string" ("choice" when `choices` is given)
---@field default? any value when the option is absent (a list for `list`)
---@field help? string one line for `--help`
---@field short? string one letter: `-n 5`
---@field positional? boolean filled from bare arguments, in declared order
---@field required? boolean a usage error when absent
---@field choices? (string|integer)[] allowed values of a `choice`, or of each item of a `list`
---@field of? "string"|"number"|"integer"|"path" item type of a `list` (default "string")
---@field metavar? string the value's name in `--help` (N, PATH, ...)
---@field many? boolean a list option that also takes the following words (`--cases a b c`)
---@field nargs? integer a list option that takes exactly this many words each time, kept as one item (2-9)

---@class rig.Context
---@field name string the recipe's name
---@field path string the recipe's file as shown in messages
---@field dir? string the recipe's directory (nil for built-in recipes)
---@field rest string[] the arguments after `--`
---@field argv string[] the recipe's raw arguments
---@field log rig.log

---@class rig.RecipeDefinition
---@field name? string defaults to the file name
---@field description? string first line is shown by `rig list`
---@field params? rig.Param[] in the order `--help` shows them
---@field rest? string accept arguments after `--` (this text names them in `--help`)
---@field examples? string[] shown by `--help`
---@field requires? { rig?: string, modules?: string[] } checked at load: a Rig of the same major version
---  and at least this one, and modules that must load (docs/sharing.md)
--- The recipe's body. Its return value is the exit status: nil or true 0, false 1, an integer
--- from 0 to 125 that code.
---@field run fun(params: table<string, any>, ctx: rig.Context): (boolean|integer|nil)

---@class rig.Recipe: rig.RecipeDefinition

---@class rig
---@field version string Rig's version
---@field time rig.time
---@field proc rig.proc
---@field env rig.env
---@field stats rig.stats
---@field json rig.json
---@field toml rig.toml
---@field fs rig.fs
---@field md rig.md
---@field csv rig.csv
---@field profile rig.profile
---@field lanes rig.lanes
---@field bench rig.bench
---@field classify rig.classify
---@field diff rig.diff
---@field report rig.report
---@field gate rig.gate
---@field flame rig.flame
---@field sweep rig.sweep
---@field prune rig.prune
---@field envprofile rig.envprofile
---@field triage rig.triage
---@field wasm rig.wasm
---@field friends rig.friends
---@field size rig.size
---@field callgrind rig.callgrind
---@field log rig.log
---@field cli rig.cli
---@field spec rig.spec
---@field util rig.util
---@field check rig.check
---@field measure rig.measure
---@field hyperfine rig.hyperfine
---@field htmlreport rig.htmlreport
---@field git rig.git
---@field bisect rig.bisect
---@field molt rig.molt
rig = {}

--- Declares a recipe; a recipe file ends with `return rig.recipe{...}`. Unknown or ill-typed
--- fields raise a `definition` error naming the file and line.
---@param definition rig.RecipeDefinition
---@return rig.Recipe
function rig.recipe(definition) end

--- A coded error value, to raise (`error(rig.error(...))`) or return as `nil, err`.
---@param code string
---@param message string
---@return rig.Error
function rig.error(code, message) end

---@class rig.time
rig.time = {}
--- Monotonic time in seconds (float); only differences are meaningful.
---@return number
function rig.time.now() end
--- Monotonic time in nanoseconds.
---@return integer
function rig.time.now_ns() end
--- Sleeps; raises an `interrupted` error if Rig receives SIGINT or SIGTERM meanwhile.
---@param seconds number
function rig.time.sleep(seconds) end
--- UTC stamp `20260522T102249Z`, as Molt names result files.
---@param epoch? integer seconds since 1970 (default: now)
---@return string
function rig.time.utc_stamp(epoch) end
--- ISO 8601 UTC time with milliseconds, `2026-05-22T10:22:49.123Z`.
---@param epoch? integer seconds since 1970 (default: now)
---@return string
function rig.time.iso8601(epoch) end
--- UTC time as Python's `datetime.now(timezone.utc).isoformat()` writes it,
--- `2026-05-22T10:22:49.123456+00:00` (the fraction left out at whole seconds).
---@param epoch? integer seconds since 1970 (default: now)
---@return string
function rig.time.isoformat(epoch) end
--- Runs `fn(...)`; returns the elapsed seconds, then `fn`'s results.
---@param fn function
---@return number elapsed
---@return any ...
function rig.time.measure(fn, ...) end

---@alias rig.LogLevel "debug"|"info"|"warn"|"error"|"quiet"

---@class rig.log
rig.log = {}
--- Sets the lowest level shown (`rig run -v` sets "debug", `-q` "error").
---@param level rig.LogLevel
function rig.log.set_level(level) end
---@return rig.LogLevel
function rig.log.level() end
---@param level rig.LogLevel
---@return boolean
function rig.log.enabled(level) end
---@param fmt string|any a `string.format` pattern, or a value to print
function rig.log.debug(fmt, ...) end
---@param fmt string|any
function rig.log.info(fmt, ...) end
---@param fmt string|any
function rig.log.warn(fmt, ...) end
---@param fmt string|any
function rig.log.error(fmt, ...) end

---@class rig.cli
rig.cli = {}
--- Parses arguments for a recipe; nil when `--help` was asked for. Raises a `usage` error.
---@param recipe rig.Recipe
---@param argv string[]
---@param recipe_name? string
---@return table<string, any>? params
---@return string[]? rest
function rig.cli.parse(recipe, argv, recipe_name) end
--- The `--help` text of a recipe.
---@param recipe rig.Recipe
---@param recipe_name string
---@return string
function rig.cli.help(recipe, recipe_name) end

---@class rig.SpecResult
---@field passed integer
---@field failed integer
---@field pending integer
---@field failures {name: string, message: string}[]

---@class rig.spec
rig.spec = {}
--- Runs one busted-style spec file (describe/it/before_each/after_each/assert) inside Rig.
---@param path string
---@param opts? {filter?: string, output?: file*}
---@return rig.SpecResult
function rig.spec.run_file(path, opts) end

---@class rig.util
rig.util = {}
--- SHA-256 as lowercase hex.
---@param data string
---@return string
function rig.util.sha256(data) end
---@param a string
---@param b string
---@return integer
function rig.util.edit_distance(a, b) end
--- The candidate closest to `word` (a unique prefix, or a small edit distance), or nil.
---@param word string
---@param candidates string[]
---@return string?
function rig.util.closest(word, candidates) end
--- "; did you mean 'x'?" or "".
---@param word string
---@param candidates string[]
---@return string
function rig.util.did_you_mean(word, candidates) end
---@param t table
---@return any[]
function rig.util.sorted_keys(t) end
--- Repeatable NAME=VALUE options to a table; nil and a message naming `flag` on a bad item.
---@param list string[]
---@param flag string
---@return table<string, string>?
---@return string? why
function rig.util.parse_assignments(list, flag) end
--- The string keys of t: those in `order` still there first, then the rest sorted.
---@param t table
---@param order? string[]
---@return string[]
function rig.util.ordered_keys(t, order) end
--- The last n lines of text (Python's `"\n".join(text.splitlines()[-n:])`).
---@param text string?
---@param n integer
---@return string
function rig.util.tail_lines(text, n) end
--- Splits text into shell words (POSIX quoting, nothing expanded); per word, whether it was quoted.
---@param text string
---@return string[]? words
---@return boolean[]|string quoted (or why it cannot be split)
function rig.util.shell_words(text) end
--- A command template (shell words, or a list) to argv: {name} replaced from values, an unquoted
--- whole-word {name} split into words (a list value spliced), {{ }} literal braces; nil and why
--- for an unknown placeholder (with a suggestion) or a bad quote.
---@param template string|string[]
---@param values table<string, any>
---@return string[]? argv
---@return string? why
function rig.util.expand_command(template, values) end
--- A text template filled in: `{name}` replaced from `values` (`{{`/`}}` literal braces), or
--- nil and why for a placeholder `values` lacks (with a suggestion).
---@param template string
---@param values table<string, any>
---@return string? text
---@return string? why
function rig.util.expand_text(template, values) end
--- True when file descriptor `fd` (0, 1 or 2) is a terminal.
---@param fd integer
---@return boolean
function rig.util.isatty(fd) end
--- Escapes text for XML and HTML (text and attribute values): & < > " '.
---@param s any
---@return string
function rig.util.xml_escape(s) end
--- Raises a `rig.Error` with `code` and `message`.
---@param code string
---@param message string
function rig.util.raise(code, message) end

--- The one argument checker of the API (docs/scripting.md#rigcheck). A field spec is a type
--- name ("string", "integer", "number", "boolean", "table", "function", "callable", "list",
--- "map", "any", a class such as "rig.Process"), several joined by `|`, or a table
--- `{type, min=, max=, gt=, lt=, finite=, choices=, of=, fields=, required=, default=,
--- nonempty=, pattern=, what=, check=, optional=}`.
---@class rig.check
---@field SECONDS table seconds above 0, at most 1e9 (the spawn binding's bound)
---@field MEGABYTES table MB above 0, at most 1e12 (the spawn binding's bound)
---@field PROBABILITY table a number in the open interval (0, 1)
---@field PATH table a non-empty string without NUL bytes (a path the OS can take)
rig.check = {}
---@alias rig.FieldSpec string|table

--- Checks argument `n` of `fname`; returns it (integers as integers, nil as its default).
--- Raises `bad argument #n to 'fname' (...)` at the caller of the function that called it.
---@param fname string
---@param n integer
---@param value any
---@param spec rig.FieldSpec
---@param extra? integer stack levels of helpers between the public function and this call
---@return any
function rig.check.arg(fname, n, value, spec, extra) end
--- Checks an options table (nil is empty) against `schema` (name -> spec): unknown names with
--- a did-you-mean, types, ranges, choices, required fields. Returns a copy with the defaults.
---@param fname string
---@param n integer
---@param opts table?
---@param schema table<string, rig.FieldSpec>
---@param extra? integer
---@return table
function rig.check.options(fname, n, opts, schema, extra) end
--- The complaint about one record (a table of named fields), or nil; defaults go to `out`.
---@param record table
---@param schema table<string, rig.FieldSpec>
---@param out? table
---@param noun? string what the keys are called ("field")
---@return string?
function rig.check.record(record, schema, out, noun) end
--- The complaint about `value` against `spec`, naming it `name`, or nil.
---@param value any
---@param spec rig.FieldSpec
---@param name string
---@return string?
function rig.check.problem(value, spec, name) end
--- Raises `bad argument #n to 'fname' (message)` at the caller of the public function.
---@param fname string
---@param n integer?
---@param message string
---@param extra? integer
function rig.check.fail(fname, n, message, extra) end
--- The complaint about a malformed schema, or nil.
---@param schema table
---@return string?
function rig.check.validate_schema(schema) end

---@class rig.ProcSpec
---@field [integer] string|number the program (a name in PATH, or a path) and its arguments
---@field env? table<string, string|number|false> variables added to the inherited environment (false unsets one)
---@field env_clear? boolean start from an empty environment
---@field cwd? string working directory
---@field stdin? string|{file: string}|boolean input text, a file, true (inherit) or false (/dev/null)
---@field stdout? "capture"|"inherit"|"null"|string|{file: string}|{append: string}
---@field stderr? "capture"|"inherit"|"null"|string|{file: string}|{append: string}
---@field timeout? number seconds, then SIGTERM to the process group (SIGKILL after kill_grace)
---@field kill_grace? number seconds between SIGTERM and SIGKILL (default 2)
---@field max_capture? integer bytes of each captured stream kept (default 64 MiB)
---@field rss_limit_mb? number kill the process tree when its RSS passes this
---@field cpu? integer pin to this CPU
---@field keep_group? boolean leave the child's process group alive when it exits

---@class rig.ProcResult
---@field ok boolean exited 0, not timed out, not over the RSS limit
---@field code? integer exit code (nil when a signal ended the process)
---@field signal? integer
---@field signal_name? string "SIGKILL", ...
---@field timed_out boolean
---@field rss_exceeded boolean
---@field wall_s number spawn to reap, monotonic clock
---@field user_s number
---@field sys_s number
---@field max_rss_kb integer the child's own peak RSS (wait4)
---@field peak_tree_rss_kb? integer sampled peak of the whole tree (with rss_limit_mb)
---@field minor_faults integer
---@field major_faults integer
---@field voluntary_switches integer
---@field involuntary_switches integer
---@field stdout? string captured bytes
---@field stderr? string
---@field stdout_bytes? integer bytes written, kept or not
---@field stderr_bytes? integer
---@field stdout_truncated? boolean
---@field stderr_truncated? boolean
---@field truncated boolean either stream was truncated
---@field argv string[]
---@field pid integer
---@field started_at string ISO 8601 UTC
---@field start_s number the start on rig.time.now()'s clock (monotonic seconds)
---@field error? rig.Error only in run_many, for a command that could not start

---@class rig.Process
local Process = {} -- luacheck: ignore 241
--- Waits for the process and returns its result; the handle is closed afterwards.
--- `nil, err` when a command queued with `after` could not start (err.code `cancelled` when
--- it was killed before it started).
---@return rig.ProcResult? result
---@return rig.Error? err
function Process:wait() end
--- The result if the process has finished, else nil (`nil, err` as for `wait`).
---@return rig.ProcResult? result
---@return rig.Error? err
function Process:poll() end
--- Sends a signal (name or number, default "TERM") to the process group; false if finished.
---@param signal? string|integer
---@return boolean
function Process:kill(signal) end
---@return integer
function Process:pid() end

---@class rig.proc
rig.proc = {}
--- {count, wall_s}: children finished through rig.proc so far (for harness overhead).
---@return {count: integer, wall_s: number}
function rig.proc.totals() end
--- Runs a command to completion. `nil, err` when it cannot start.
---@param spec rig.ProcSpec
---@return rig.ProcResult? result
---@return rig.Error? err
function rig.proc.run(spec) end
--- A failed result standing for a command that could not start (exit 127, spawn_error).
---@param err rig.Error
---@return table
function rig.proc.not_started(err) end
--- Starts a command; use with `local p <close> = rig.proc.spawn{...}`. `opts.after`: start it
--- the moment that process ends (in Rig's spawn helper, no round trip through Rig; at once if
--- it has ended); returns at once, start failures come out of `:wait()`.
---@param spec rig.ProcSpec
---@param opts? {after?: rig.Process}
---@return rig.Process? handle
---@return rig.Error? err
function rig.proc.spawn(spec, opts) end
--- Waits for the first of `handles` to finish: its index and result (or index, nil, err when
--- a command queued with `after` could not start). The handle is closed. nil when
--- `timeout_s` passes first.
---@param handles rig.Process[]
---@param timeout_s? number
---@return integer? index
---@return rig.ProcResult? result
---@return rig.Error? err
function rig.proc.wait_any(handles, timeout_s) end
--- Runs commands, up to `opts.jobs` at a time; results in input order.
---@param specs rig.ProcSpec[]
---@param opts? {jobs?: integer}
---@return rig.ProcResult[]
function rig.proc.run_many(specs, opts) end
--- Runs `command` with /bin/sh -c.
---@param command string
---@param opts? rig.ProcSpec options only
---@return rig.ProcResult? result
---@return rig.Error? err
function rig.proc.shell(command, opts) end
--- Like run, but raises unless the command starts and succeeds.
---@param spec rig.ProcSpec
---@return rig.ProcResult
function rig.proc.must_run(spec) end
---@param name string "TERM", "SIGKILL", "15"
---@return integer?
function rig.proc.signal_number(name) end
---@param number integer
---@return string
function rig.proc.signal_name(number) end

---@class rig.HostInfo
---@field hostname string
---@field cpu_count integer
---@field cpu_model? string
---@field machine string
---@field os string
---@field os_release? string
---@field kernel string
---@field memory_total_mb? integer
---@field memory_available_mb? integer
---@field load_avg? number[]
---@field cpu_governor? string
---@field cpu_boost? string
---@field aslr? string
---@field git? {commit: string, dirty: boolean, branch?: string}
---@field tools? table<string, string>

---@class rig.env
rig.env = {}
---@param name string
---@return string?
function rig.env.get(name) end
--- Every variable of Rig's environment as it is now: {name = value}.
---@return table<string, string>
function rig.env.all() end
--- Sets (nil: removes) a variable for every child started afterwards.
---@param name string
---@param value string|number|nil
function rig.env.set(name, value) end
---@param name string
---@param path? string
---@return string?
function rig.env.which(name, path) end
--- Rig's own process id.
---@return integer
function rig.env.pid() end
--- First line of a tool's version output, e.g. version{"python3", "--version"}.
---@param argv string[]
---@return string?
---@return rig.Error? err
function rig.env.version(argv) end
---@param dir? string
---@return {commit: string, dirty: boolean, branch?: string}?
function rig.env.git(dir) end
---@param opts? {tools?: table<string, string[]>, git?: boolean}
---@return rig.HostInfo
function rig.env.host(opts) end
--- The path of the running rig binary.
---@return string?
function rig.env.executable() end

---@class rig.Summary
---@field n integer
---@field mean number
---@field median number
---@field min number
---@field max number
---@field sum number
---@field var_sample? number divides by n - 1 (nil when n = 1)
---@field std_sample? number
---@field var_population number divides by n
---@field std_population number
---@field q1 number 25th percentile (linear interpolation, numpy's default)
---@field q3 number
---@field iqr number
---@field mad number median absolute deviation, unscaled
---@field mad_normal number mad x 1.4826 (estimates sigma for normal data)
---@field cv? number std_sample / mean
---@field geomean? number when every value is positive

---@class rig.Sample
local Sample = {} -- luacheck: ignore 241
---@return integer
function Sample:n() end
---@return number[]
function Sample:values() end
---@return number[]
function Sample:sorted() end
---@return rig.Summary
function Sample:summary() end
---@param p number 0..100
---@return number
function Sample:percentile(p) end

---@class rig.BootstrapOptions
---@field method? "bca"|"percentile" default "bca"
---@field resamples? integer default 10000
---@field confidence? number default 0.95
---@field seed? integer default 1 (the same seed gives the same interval)

---@class rig.CompareOptions: rig.BootstrapOptions
---@field alpha? number significance level of the Mann-Whitney test (default 0.05)
---@field noise? number half-width of the band around 1 where a change does not matter (default 0.02)
---@field direction? "lower"|"higher" which is better (default "lower": times)

---@class rig.BootstrapInterval
---@field estimate number
---@field low number
---@field high number
---@field standard_error number
---@field method string
---@field resamples integer
---@field confidence number
---@field seed integer

---@class rig.Comparison
---@field ratio number median(b) / median(a)
---@field ci_low number
---@field ci_high number
---@field p_value number two-sided Mann-Whitney
---@field verdict "faster"|"slower"|"same"|"inconclusive"
---@field reason string
---@field n_a integer
---@field n_b integer
---@field median_a number
---@field median_b number
---@field shift? number Hodges-Lehmann: median of the differences b - a
---@field test string
---@field warnings string[]

---@alias rig.SampleLike number[]|rig.Sample

---@class rig.Outliers
---@field modified_z number[] 0.6745 (x - median) / MAD, in input order
---@field modified_z_outliers integer[] 1-based indices beyond the threshold
---@field threshold number
---@field mild integer[] beyond 1.5 IQR (but not 3)
---@field severe integer[] beyond 3 IQR
---@field fences {mild_low: number, mild_high: number, severe_low: number, severe_high: number}

---@class rig.stats
rig.stats = {}
---@param xs number[]
---@return rig.Sample
function rig.stats.sample(xs) end
---@param xs rig.SampleLike
---@return rig.Summary
function rig.stats.summary(xs) end
--- The median, or nil for an empty list.
---@param xs number[]
---@return number?
function rig.stats.median(xs) end
--- The mean of a list, or nil for an empty one.
---@param xs number[]
---@return number?
function rig.stats.mean(xs) end
---@param xs rig.SampleLike
---@param p number|number[] 0..100
---@return number|number[]
function rig.stats.percentile(xs, p) end
---@param xs rig.SampleLike
---@param opts? {confidence?: number, quantile?: number}
---@return {low: number, high: number, low_order: integer, high_order: integer, confidence: number}
function rig.stats.median_ci(xs, opts) end
---@param xs rig.SampleLike
---@param opts? {confidence?: number}
---@return {low: number, high: number}?
function rig.stats.mean_ci(xs, opts) end
---@param xs rig.SampleLike
---@param opts? rig.BootstrapOptions|{statistic?: "mean"|"median"}
---@return rig.BootstrapInterval
function rig.stats.bootstrap(xs, opts) end
--- Bootstrap interval of median(b) / median(a).
---@param a rig.SampleLike
---@param b rig.SampleLike
---@param opts? rig.BootstrapOptions
---@return rig.BootstrapInterval
function rig.stats.ratio_ci(a, b, opts) end
---@param a rig.SampleLike
---@param b rig.SampleLike
---@return {u: number, p_value: number, method: string, z?: number, ties: boolean}
function rig.stats.mann_whitney(a, b) end
---@param a rig.SampleLike
---@param b rig.SampleLike
---@return {t: number, df: number, p_value: number}?
function rig.stats.welch(a, b) end
--- Welch's t-test on log times: ratio of geometric means b/a, p, verdict (assumes log-normal times).
---@param a number[]
---@param b number[]
---@param opts? { alpha?: number, noise?: number }
---@return { ratio: number, p_value: number, t: number, df: number, verdict: string, test: string }?
function rig.stats.log_welch(a, b, opts) end
---@param a rig.SampleLike
---@param b rig.SampleLike
---@return number?
function rig.stats.hodges_lehmann(a, b) end
---@param p number[]
---@return number[]
function rig.stats.holm(p) end
---@param p number[]
---@return number[]
function rig.stats.bh(p) end
---@param xs rig.SampleLike
---@param opts? {threshold?: number}
---@return rig.Outliers
function rig.stats.outliers(xs, opts) end
--- Candidate `b` against baseline `a`: ratio of medians, its interval, p-value and verdict.
---@param a rig.SampleLike
---@param b rig.SampleLike
---@param opts? rig.CompareOptions
---@return rig.Comparison
function rig.stats.compare(a, b, opts) end
---@param alpha? number
---@return integer
function rig.stats.min_samples(alpha) end

---@class rig.JSONEncodeOptions
---@field indent? integer Python's indent (nil: one line)
---@field sort_keys? boolean
---@field ascii? boolean Python's ensure_ascii (default true)
---@field allow_nan? boolean write NaN and Infinity as Python does
---@field separators? string[] {item, key}, e.g. {",", ":"}

---@class rig.json
---@field null table JSON null
rig.json = {}
--- Parses JSON text; nil and a `json_syntax` error (line, column, offset) on bad input.
--- `opts.only` builds only part of the document (a tree over keys: `true`, named keys,
--- `["*"]` for the others, `["-"]` to drop names or `*suffix`es).
---@param text string
---@param opts? { only?: table|true }
---@return any value
---@return rig.Error? err
function rig.json.decode(text, opts) end
--- JSON text as Python's json.dumps writes it with the same options.
---@param value any
---@param opts? rig.JSONEncodeOptions
---@return string
function rig.json.encode(value, opts) end
--- Reads (through a mapping) and parses a file; `opts.only` as in `decode`.
---@param path string
---@param opts? { only?: table|true }
---@return any value
---@return rig.Error? err
function rig.json.read(path, opts) end
--- Encodes and writes atomically (final newline unless newline = false).
---@param path string
---@param value any
---@param opts? rig.JSONEncodeOptions|{newline?: boolean}
---@return true? ok
---@return rig.Error? err
function rig.json.write(path, value, opts) end
---@param t? table
---@return table
function rig.json.array(t) end
---@param t? table
---@param keys? string[] key order
---@return table
function rig.json.object(t, keys) end
---@param t any
---@return boolean
function rig.json.is_array(t) end
---@param t any
---@return boolean
function rig.json.is_object(t) end
--- `x` when it is a finite number, else `rig.json.null` (NaN and infinities have no JSON form).
---@param x any
---@return number|userdata
function rig.json.finite(x) end
--- Keys of an object in their recorded order (then added keys, sorted).
---@param t table
---@return string[]
function rig.json.keys(t) end

---@class rig.toml
---@field MAX_DEPTH integer how deep arrays and inline tables may nest (2000)
rig.toml = {}
---@param text string
---@param source? string name for messages
---@return table? value
---@return rig.Error? err
function rig.toml.decode(text, source) end
---@param path string
---@return table? value
---@return rig.Error? err
function rig.toml.read(path) end
--- The keys of a decoded table in the order the document wrote them (Python's tomllib order).
---@param t table
---@return string[]
function rig.toml.keys(t) end

---@class rig.FileInfo
---@field size integer
---@field mtime number
---@field kind "file"|"directory"|"link"|"other"
---@field mode integer

---@class rig.fs
rig.fs = {}
---@return string? data
---@return rig.Error? err
function rig.fs.read(path) end
--- Atomic replace (temporary file, fsync, rename). `data` may be a list of strings, written
--- in order without joining them first.
---@param path string
---@param data string|string[]
---@return true? ok
---@return rig.Error? err
function rig.fs.write(path, data) end
---@param sync? boolean
---@return true? ok
---@return rig.Error? err
function rig.fs.append(path, data, sync) end
---@param sync? boolean
---@return true? ok
---@return rig.Error? err
function rig.fs.append_jsonl(path, value, sync) end
---@return boolean
function rig.fs.exists(path) end
---@return rig.FileInfo?
function rig.fs.stat(path) end
---@return string[]? names
---@return rig.Error? err
function rig.fs.list(path) end
---@return string[]? paths
---@return rig.Error? err
function rig.fs.glob(pattern) end
---@return {path: string, kind: string, size: integer, mtime: number}[]? entries
---@return rig.Error? err
function rig.fs.walk(path) end
---@return true? ok
---@return rig.Error? err
function rig.fs.mkdir(path) end
---@return true? ok
---@return rig.Error? err
function rig.fs.remove(path) end
--- Refuses /, the home directory and paths outside `root`.
---@return integer? removed
---@return rig.Error? err
function rig.fs.remove_tree(path, root) end
---@return true? ok
---@return rig.Error? err
function rig.fs.copy(from, to) end
---@param prefix? string
---@return string? path
---@return rig.Error? err
function rig.fs.tmpdir(prefix) end
---@return {bytes: integer, files: integer}? size
---@return rig.Error? err
function rig.fs.tree_size(path) end
---@return string?
function rig.fs.realpath(path) end
--- Exclusive flock on an existing lock file without waiting; false when another process holds it.
---@param path string
---@return rig.Lock|false|nil lock
---@return rig.Error? err
function rig.fs.try_lock(path) end

---@class rig.Lock
local Lock = {} -- luacheck: ignore 241
--- Releases the lock (also at `<close>` and collection).
function Lock:unlock() end

---@return string
function rig.fs.join(...) end
---@return string
function rig.fs.normalize(path) end
--- An absolute, normalized path: "~/" is $HOME, a relative path is taken from the working
--- folder (links not resolved; the path need not exist).
---@param path string
---@return string
function rig.fs.absolute(path) end
---@return string
function rig.fs.basename(path) end
---@return string
function rig.fs.dirname(path) end
---@return string
function rig.fs.stem(path) end
---@return string
function rig.fs.extension(path) end

---@class rig.md
rig.md = {}
---@param value any
---@return string
function rig.md.escape(value) end
---@param rows any[][]
---@param opts {headers: any[], align?: ("left"|"right"|"center"|"none")[], pad?: boolean}
---@return string
function rig.md.table(rows, opts) end
--- One unpadded table row, `| a | b |` and a line break, cells escaped.
---@param cells any[]
---@return string
function rig.md.row(cells) end
---@return string? text
---@return rig.Error? err
function rig.md.replace_block_text(text, start_marker, end_marker, content) end
--- Replaces the block between two marker lines in a file, atomically.
---@return boolean? changed
---@return rig.Error? err
function rig.md.replace_block(path, start_marker, end_marker, content) end

---@class rig.csv
rig.csv = {}
---@param rows any[][]
---@param opts? {headers?: any[], newline?: string}
---@return string
function rig.csv.encode(rows, opts) end
---@return true? ok
---@return rig.Error? err
function rig.csv.write(path, rows, opts) end

---@class rig.ProfileOptions
---@field kind? "process"|"epoch"|"text"
---@field policy? "last_valid"|"last"|"first"|"all"
---@field strip? boolean allow white space before the prefix

---@class rig.ProfileReport
---@field candidates integer
---@field valid integer
---@field invalid {line: integer, reason: string}[]

---@class rig.profile
rig.profile = {}
---@param text string
---@param opts? rig.ProfileOptions
---@return table|table[]|nil payload
---@return rig.ProfileReport report
function rig.profile.extract(text, opts) end
---@param path string
---@param opts? rig.ProfileOptions
---@return table|table[]|nil payload
---@return rig.ProfileReport|rig.Error report
function rig.profile.read(path, opts) end
---@param result rig.ProcResult
---@param opts? rig.ProfileOptions
function rig.profile.from_result(result, opts) end
---@param payload string the text after "molt_profile "
---@return table?
function rig.profile.parse_text_line(payload) end
---@param payload table
---@return table<string, number>
function rig.profile.flatten(payload) end
---@param list table[]
---@return table<string, number>
function rig.profile.sum(list) end
---@param list table[]
---@return table<string, number[]>
function rig.profile.merge(list) end
---@param a table
---@param b table
---@param opts? {top?: integer}
---@return {name: string, a: number, b: number, delta: number, ratio?: number}[]
function rig.profile.diff(a, b, opts) end
---@return boolean
function rig.profile.is_process_profile(p) end
---@return boolean
function rig.profile.is_epoch(p) end

---@class rig.LaneSpec
---@field name string letters, digits and _ (the prefix of its result fields)
---@field role? "reference"|"candidate"|"baseline" default "candidate"
---@field description? string
---@field probe? string[]|fun(lane: rig.Lane): {available: boolean, version?: string, reason?: string}
---@field build? string[]|fun(script: string, ctx: {dir: string, out: string, lane: rig.Lane}): table
---@field run string[]|fun(script: string, args: string[], built: table?): string[]
---@field env? table<string, string>

---@class rig.Lane: rig.LaneSpec
---@field python? string the interpreter of Python lanes
local Lane = {} -- luacheck: ignore 241
--- {available, version, reason}; probed once.
function Lane:check() end
---@param script string
---@param workdir string
---@param build_args? string[] the workload's own build arguments, for {build_args}
---@return table? built {binary, build_s, size_kb, result, error}
function Lane:build_workload(script, workdir, build_args) end
---@return string[]
function Lane:command(script, args, built) end

---@class rig.lanes
rig.lanes = {}
---@param spec rig.LaneSpec
---@return rig.Lane
function rig.lanes.define(spec) end
---@param template string[]
---@param values table<string, string>
---@param args? string[]
---@return string[]
function rig.lanes.expand(template, values, args) end
---@param opts? {python?: string, name?: string, role?: string}
---@return rig.Lane
function rig.lanes.cpython(opts) end
--- A lane for every other python3.X on PATH.
---@param reference? rig.Lane
---@return rig.Lane[]
function rig.lanes.pythons(reference) end
---@param opts? {cmd?: string}
---@return rig.Lane
function rig.lanes.pypy(opts) end
---@param opts? {molt?: string, build?: string[], profile?: "dev"|"release", cache?: boolean}
---@return rig.Lane
function rig.lanes.molt(opts) end
---@param opts? {codon?: string}
---@return rig.Lane
function rig.lanes.codon(opts) end
---@param opts? {python?: string, cmd?: string[]}
---@return rig.Lane
function rig.lanes.nuitka(opts) end
---@return rig.Lane
function rig.lanes.cython() end
---@param opts? {python?: string}
---@return rig.Lane
function rig.lanes.numba(opts) end
---@param opts? {cmd?: string}
---@return rig.Lane
function rig.lanes.pyodide(opts) end

---@class rig.BenchConfig
---@field workloads {name: string, path: string, args?: string[], cwd?: string}[]
---@field lanes rig.Lane[]
---@field samples integer
---@field warmup integer
---@field order? "interleaved"|"sequential"
---@field timeout? number per run
---@field min_time? number
---@field max_samples? integer
---@field pin_cpu? integer
---@field parity? boolean check each candidate's output against the reference's (default true)
---@field instructions? boolean also count each lane's instructions once under callgrind
---@field super? boolean
---@field noise? number
---@field alpha? number
---@field progress? boolean
---@field on_snapshot? fun(payload: table)

---@class rig.bench
rig.bench = {}
--- Runs every workload on every available lane; returns Molt's results payload plus Rig's.
---@param cfg rig.BenchConfig
---@return table payload
function rig.bench.run(cfg) end
--- Reads a results file and checks its shape: an object at the top level, `benchmarks` (when
--- present, or always with `require_benchmarks`) an object of objects. The error names the file and key.
---@param path string
---@param opts? { only?: table|true, require_benchmarks?: boolean, skip_invalid?: boolean }
---@return table? payload
---@return rig.Error? err
---@return string[]? skipped entries left out with `skip_invalid` (Molt's bench_diff leaves them out)
function rig.bench.read_results(path, opts) end
--- Fills the keys Molt's bench.py writes for lanes that did not run (null times and samples,
--- `<lane>_ok` false, null build and size, null Molt ratios).
---@param rec table
---@return table
function rig.bench.fill_molt_lanes(rec) end
--- Adds Molt's provenance, memory_guard, custody_artifacts and molt_failure_details to a bench
--- payload; returns the failure-details JSONL path and text.
---@param payload table
---@param opts { json_out: string, summary_out: string, profile: string, lane?: string }
---@return string path
---@return string jsonl
function rig.bench.molt_artifacts(payload, opts) end
--- Molt's baseline gate plus Rig's check of the evidence (`statistical`: the samples may excuse a breach).
---@param opts? { statistical?: boolean }
---@return {ok: boolean, messages: string[], unsupported: string[]}
function rig.bench.check_baseline(current, baseline, max_regression, opts) end
--- Molt's summary.md layout with Rig's medians, intervals and verdicts.
---@param payload table
---@param json_path? string
---@param lanes (string|rig.Lane)[] lanes or their names, in the order shown
---@return string
function rig.bench.summary_markdown(payload, json_path, lanes) end
--- The terminal table: medians, intervals and ratios per workload and lane.
---@param payload table
---@param lanes (string|rig.Lane)[] lanes or their names, in the order shown
---@return string
function rig.bench.terminal_table(payload, lanes) end
--- The workloads Rig ships (recipes/workloads/bench_*.py), from `recipes_dir` or built in.
---@param recipes_dir? string
---@return { name: string, path: string, args: string[] }[]
function rig.bench.shipped_workloads(recipes_dir) end
--- Molt's summarize_samples: mean_s, median_s, variance_s (population), range_s, min_s, max_s, samples_s.
---@param samples number[]
---@return table?
function rig.bench.summarize_samples(samples) end
--- One benchmark's record in Molt's per-benchmark format, plus Rig's `rig` block.
---@param workload table
---@param states table
---@param reference string
---@param cfg table
---@return table
function rig.bench.record(workload, states, reference, cfg) end

---@class rig.classify
---@field MOLT_BUILD_SIGNATURES string[][]
---@field MOLT_RUN_SIGNATURES string[][]
rig.classify = {}
--- Molt's failure payload for a failed build or run.
---@param phase "build"|"run"
---@param result? rig.ProcResult
---@param spawn_error? rig.Error
---@return table
function rig.classify.molt_failure(phase, result, spawn_error) end
---@param text? string
---@return string
function rig.classify.tail(text) end

---@class rig.ClassifyRule
---@field class string the class this rule names
---@field detail? string|fun(result: table, ctx: table): string
---@field runner? string|string[] only for these runners (ctx.runner)
---@field any? string[] lower-case substrings, one must occur
---@field all? string[] lower-case substrings, all must occur
---@field patterns? string[] Lua patterns, one must match
---@field anywhere? boolean search all of stderr and stdout, not the first 8 lines
---@field exit? integer|integer[]
---@field signal? boolean|integer|string
---@field timed_out? boolean
---@field rss_exceeded? boolean
---@field when? fun(result: table, ctx: table): boolean

--- Molt's wasm classes (bench_wasm.py), with Rig's timeout and RSS-guard classes first.
---@type rig.ClassifyRule[]
rig.classify.MOLT_WASM_RULES = {}
--- timeout, signal_exit (default exit_nonzero).
---@type rig.ClassifyRule[]
rig.classify.BASIC_RULES = {}
--- Compiles rules: the first rule whose conditions all hold names the class, else opts.default.
---@param rules rig.ClassifyRule[]
---@param opts? { default?: string, head_lines?: integer, head_chars?: integer }
---@return fun(result: table, ctx?: { runner?: string }): string?, string?
function rig.classify.classifier(rules, opts) end
--- timeout, signal_exit or exit_nonzero.
---@param result table
---@return string
function rig.classify.basic(result) end
--- A failed wasm run's class in Molt's terms (default runner_error).
---@param result table
---@param runner string
---@return string class
---@return string? detail
function rig.classify.molt_wasm(result, runner) end

---@class rig.DiffOptions
---@field metrics? string[]
---@field top? integer
---@field include_zero_only? boolean
---@field fail_regression_count? integer
---@field fail_regression_pct? number
---@field fail_regression_abs? number
---@field significant_only? boolean
---@field alpha? number
---@field noise? number

---@class rig.diff
---@field PROJECTION table what the diff recipe reads (`rig.json.read(path, {only = ...})`)
rig.diff = {}
--- Molt's bench_diff.py comparison plus statistical evidence. nil, message for bad input.
---@param old table results payload
---@param new table results payload
---@param opts? rig.DiffOptions
---@return table? result
---@return string? message
function rig.diff.compare(old, new, opts) end
---@return string
function rig.diff.markdown(result, old_path, new_path, opts) end
--- What a diff row's samples decide and by which test ("rank" or "welch_log"), or nil.
---@param row table
---@return string? verdict
---@return string? test
function rig.diff.decided(row) end
---@return table
function rig.diff.json_payload(result, old_path, new_path, opts) end

---@class rig.report
---@field PROJECTION table the fields render and status_block read (`rig.json.read(path, {only = ...})`)
rig.report = {}
--- Molt's bench_report.py markdown.
---@return string
function rig.report.render(native_path, wasm_path, native, wasm, opts) end
--- The STATUS block between the GENERATED:bench-summary markers.
---@return string
function rig.report.status_block(native, wasm) end
--- The Cold Start & Binary Size table from an output_startup_size_audit.py JSON.
---@param audit table
---@return string
function rig.report.startup_section(audit) end
--- A self-contained HTML page: per benchmark, lane medians with 95% intervals, Molt against
--- CPython (ratio, interval, p, verdict) and a strip plot of the samples.
---@param native_path string
---@param wasm_path string
---@param native table
---@param wasm table
---@param opts? { alpha?: number, noise?: number, title?: string }
---@return string html
function rig.report.html(native_path, wasm_path, native, wasm, opts) end

---@class rig.FlameNode
---@field name string
---@field total number samples in this frame and below
---@field self number samples in this frame itself
---@field children rig.FlameNode[]

---@class rig.flame
rig.flame = {}
--- Folded stacks (`a;b;c 123` lines) to a call tree rooted at "all".
---@param text string
---@param source? string
---@return rig.FlameNode? tree
---@return rig.Error? err
function rig.flame.parse_folded(text, source) end
--- `perf script` output to folded stacks (the command name as the root frame).
---@param text string
---@return string folded
function rig.flame.fold_perf_script(text) end
--- Every frame: {path, name, total, self, depth}, parents first.
---@param tree rig.FlameNode
---@return { path: string, name: string, total: number, self: number, depth: integer }[]
function rig.flame.frames(tree) end
--- Functions by their own samples: {name, self, share}, largest first.
---@param tree rig.FlameNode
---@param top? integer
---@return { name: string, self: number, share: number }[]
function rig.flame.top_self(tree, top) end
--- A self-contained SVG flame graph.
---@param tree rig.FlameNode
---@param opts? { title?: string, width?: number, min_width?: number }
---@return string svg
function rig.flame.svg(tree, opts) end
--- A differential flame graph: the shape of `after`, red where a frame's share grew.
---@param before rig.FlameNode
---@param after rig.FlameNode
---@param opts? { title?: string, width?: number, min_width?: number, saturate?: number }
---@return string svg
function rig.flame.diff_svg(before, after, opts) end

---@class rig.CallgrindProfile
---@field events string[]
---@field totals table<string, integer>
---@field functions { name: string, self: integer, inclusive: integer }[]
---@field command string?
---@field edges table<string, table<string, integer>> caller -> callee -> inclusive cost of those calls

---@class rig.molt
rig.molt = {}
--- True for a finite number above 0.
---@param x any
---@return boolean
function rig.molt.positive(x) end
--- a / b when both are positive, else rig.json.null (Molt's null ratios).
---@param a any
---@param b any
---@return number|userdata
function rig.molt.ratio(a, b) end
--- Molt's platform string: linux-<machine>.
---@param host table rig.env.host()
---@return string
function rig.molt.platform(host) end
--- The `system` block of Molt's bench.py and bench_wasm.py results.
---@param host table rig.env.host()
---@param python? string
---@return table
function rig.molt.system(host, python) end
--- A float as Python's repr writes it (30.0, 0.02, nan, inf).
---@param x number
---@return string
function rig.molt.py_float(x) end
--- Molt's artifact root: MOLT_EXT_ROOT when set (nil and Molt's message when not a folder), else `repo`.
---@param repo string
---@return string? root
---@return string? why
function rig.molt.ext_root(repo) end
--- A Molt tool's default output root: <MOLT_EXT_ROOT or repo>/tmp/<name>_<UTC stamp>, or nil, why.
---@param repo string
---@param name string
---@return string? root
---@return string? why
function rig.molt.default_output_root(repo, name) end
--- Molt's repository root: the nearest folder up from `start` holding .git or pyproject.toml.
---@param start? string
---@return string
function rig.molt.repo_root(start) end
--- Molt's throughput environment (tools/throughput_env.sh): exports in Molt's order, dirs, warning.
---@param opts { repo: string, env?: table<string, string>, pid?: integer }
---@return { exports: string[][], values: table<string, string>, dirs: string[], ext_root: string,
---  warning: string?, sccache: string? }
function rig.molt.throughput_env(opts) end
--- `export NAME="value"` lines as throughput_env.sh --print writes them (\\, ", $ and ` escaped).
---@param exports string[][]
---@return string? text
---@return string? why
function rig.molt.export_lines(exports) end
--- The memory limits Molt's memory guard gives a command run under `prefix`
--- (MOLT_COMPILE_PROGRESS, MOLT_BENCH, ...): its limits_summary block (GB), from the
--- `<P>_MAX_*_GB`/`MOLT_MAX_*_GB` variables or Molt's adaptive budget from /proc/meminfo.
---@param prefix string
---@param env? table<string, string> the variables to read (default: this process's)
---@return table
function rig.molt.memory_limits(prefix, env) end
--- The `{scientific_*}` values of Molt's friends manifest, from its verified scientific-stack
--- config (MOLT_SCIENTIFIC_STACK_CONFIG, else `<repo>/config/scientific_stack_versions.toml`),
--- or nil and why (Molt's wording), with `true` third when the file is missing.
---@param repo string
---@return table<string, string>? values
---@return string? path_or_why
---@return boolean? missing
function rig.molt.scientific_stack(repo) end
--- Puts a rig.proc spec under Molt's memory budget for `prefix` (its env's MOLT_BACKEND_MAX_RSS_GB
--- and MOLT_BACKEND_MEMORY_AVAILABLE_GB, and Rig's tree limit); returns it.
---@param command table a rig.proc spec (not an options table: every field of it is the command's)
---@param prefix string
---@return table command
function rig.molt.guard(command, prefix) end
--- The return code Molt's guard reports: 124 on a timeout, 137 when stopped for its memory, else
--- the exit code or minus the signal.
---@param r table a rig.proc result
---@return integer
function rig.molt.guard_returncode(r) end
--- Where Molt writes the failure details of a results JSON (`molt_failure_details.jsonl` beside
--- a results.json, else `<stem>_molt_failure_details.jsonl`).
---@param json_out string
---@return string
function rig.molt.failure_details_path(json_out) end
--- Failure-detail records as Molt's JSONL (one sorted-key line each).
---@param records table[]
---@return string
function rig.molt.failure_details_jsonl(records) end
--- Molt's `custody_artifacts` block beside a results JSON.
---@param opts { json_out: string, summary_out: string, guard_root: string, sentinel: string, profile_log?: string }
---@return table
function rig.molt.custody_artifacts(opts) end
--- The lines of a summary's Custody Artifacts section, in Molt's order.
---@param custody? table
---@return string[]
function rig.molt.custody_lines(custody) end
--- Molt's `provenance` block of a non-canonical lane: not authoritative, `canonical_gate` (the
--- one citable perf source, `rig.molt.CANONICAL_GATE`) and why, `lane`, `profile` and the
--- repository's `git_rev` (or "unknown").
---@param lane string the tool that ran ("rig run bench")
---@param profile string
---@param git_rev? string
---@return table
function rig.molt.provenance(lane, profile, git_rev) end
--- The arguments Molt's bench.py runs a script with (the Codon suite's), or nil and why.
---@param script string
---@return string[]? args
---@return string? why
function rig.molt.bench_run_args(script) end
--- Whether `repo` is a Molt checkout (it has tests/benchmarks).
---@param repo string
---@return boolean
function rig.molt.is_checkout(repo) end
--- A bench tool's default results path: Molt's `bench/results/<stem>_<YYYYmmdd_HHMMSS>.json` in a
--- Molt checkout, else `rig-results/<stem>_<UTC stamp>.json` (`out_dir` replaces the folder).
---@param repo string
---@param stem string
---@param out_dir? string
---@return string path
---@return string folder
function rig.molt.default_results(repo, stem, out_dir) end
--- One script as Molt's bench.py runs it: {name, path, args, molt_args, molt_only}, or nil and why.
---@param path string
---@return table? workload
---@return string? why
function rig.molt.bench_workload(path) end
--- Molt's bench suite in a Molt checkout (tests/benchmarks): workloads {name, path, args,
--- molt_args, molt_only} of the scripts there, or nil and why; third, the scripts missing.
---@param repo string
---@param opts? { smoke?: boolean, ws?: boolean, dynamic_builtin_only?: boolean }
---@return table[]? workloads
---@return string? why
---@return string[]? missing
function rig.molt.bench_suite(repo, opts) end

---@class rig.callgrind
rig.callgrind = {}
---@param text string
---@param source? string
---@return rig.CallgrindProfile? profile
---@return rig.Error? err
function rig.callgrind.parse(text, source) end
---@param path string
---@return rig.CallgrindProfile? profile
---@return rig.Error? err
function rig.callgrind.read(path) end
--- Folded stacks from the call graph (each function's cost split among its callers in
--- proportion to the calls' cost), for rig.flame.
---@param profile rig.CallgrindProfile
---@param opts? { min_share?: number, max_depth?: integer }
---@return string folded
function rig.callgrind.folded(profile, opts) end
--- Runs a rig.proc spec under `valgrind --tool=callgrind --trace-children=yes` and returns
--- its instruction count (every process it starts included), or nil and why not.
---@param spec table a rig.proc.run spec
---@return integer? instructions
---@return string? why
function rig.callgrind.instructions(spec) end

---@class rig.SweepCase
---@field id string 12 hex digits from the settings
---@field settings table<string, any>

---@class rig.sweep
---@field RETRY_SIGNATURES string[]
rig.sweep = {}
---@param settings table
---@return string
function rig.sweep.case_id(settings) end
---@param matrix { axes: table[], include?: table[], exclude?: table[], ["repeat"]?: integer }
---@return rig.SweepCase[]
function rig.sweep.cases(matrix) end
---@param path string TOML or JSON matrix file
---@return table? matrix
---@return string? err
function rig.sweep.read_matrix(path) end
--- The cases of a matrix file, or nil and a message naming the file.
---@param path string
---@return { id: string, settings: table }[]? cases
---@return string? why
function rig.sweep.read_cases(path) end
---@param text string "K/N"
---@return integer? k
---@return integer|string n_or_err
function rig.sweep.parse_shard(text) end
---@param cases rig.SweepCase[]
---@return rig.SweepCase[]
function rig.sweep.shard(cases, k, n) end
---@param result table
---@param signatures? string[]
---@return string? reason
function rig.sweep.retry_reason(result, signatures) end
--- Runs the cases with retries, journal, snapshots and resume; returns the artifact.
---@param cfg rig.SweepConfig
---@return table artifact
function rig.sweep.run(cfg) end

---@class rig.SweepConfig
---@field cases rig.SweepCase[]
---@field run? fun(case: rig.SweepCase, attempt: integer): table a table with `ok` (jobs = 1)
---@field command? fun(case: rig.SweepCase, attempt: integer): table instead of `run`: a process spec
---@field finish? fun(case: rig.SweepCase, attempt: integer, result: table): table the case's result
---@field overlap? boolean with `command`: queue the next case to start as the running one ends (default true)
---@field jobs? integer cases at once (> 1 needs `command`)
---@field warmup? integer runs before each case's first attempt (attempt 0), not kept
---@field retry_reason? fun(result: table, signatures?: string[]): string? decides retries instead
---@field on_snapshot? fun(artifact: table) called at each snapshot (a tool's own layout)
---@field max_retries? integer
---@field backoff? number seconds
---@field backoff_kind? "linear"|"exponential"
---@field signatures? string[] retryable output patterns
---@field json_out? string
---@field markdown_out? string
---@field resume? boolean
---@field shard? integer[] {k, n}
---@field meta? table
---@field progress? boolean
---@param artifacts table[]
---@param cases rig.SweepCase[]
---@return table? merged
---@return string? err
function rig.sweep.merge(artifacts, cases) end
---@param artifact table
---@return string
function rig.sweep.markdown(artifact) end
--- Ranks configurations by a metric: best first, the rest "indistinguishable" or "worse".
---@param samples table<string, number[]>
---@param opts? { higher?: boolean, alpha?: number, noise?: number }
---@return rig.RankRow[]
function rig.sweep.rank(samples, opts) end

---@class rig.RankRow
---@field name string
---@field n integer
---@field median number
---@field ci_low number
---@field ci_high number
---@field ratio number to the best
---@field ratio_low? number
---@field ratio_high? number
---@field p_value? number
---@field verdict "best"|"indistinguishable"|"worse"
---@field reason? string
---@field dropped_round? integer (halving)
--- Successive halving: measure the survivors in batches, drop those shown worse.
---@param cfg rig.HalvingConfig
---@return rig.RankRow[] ranking
---@return { round: integer, survivors: string[], dropped: string[] }[] history
function rig.sweep.halving(cfg) end

---@class rig.HalvingConfig
---@field configs string[]
---@field measure fun(config: string, round: integer): number
---@field batch? integer
---@field max_rounds? integer
---@field max_samples? integer
---@field higher? boolean
---@field alpha? number
---@field noise? number

---@class rig.prune
---@field LOCKED_FAMILIES table<string, boolean>
rig.prune = {}
--- The cache's entries {path, size, mtime, lock}.
---@param root string
---@return table[]? entries
---@return rig.Error? err
function rig.prune.entries(root) end
--- Prunes by age then size (Molt's policy); report {root, before, after, removed, removed_bytes,
--- skipped_locked, vanished, errors}. Refuses a dangerous root (code `refused`) unless `force`.
---@param root string
---@param opts? { max_gb?: number, max_age_days?: number, dry_run?: boolean, now?: number, force?: boolean }
---@return table? report
---@return rig.Error? err
function rig.prune.prune(root, opts) end
--- Why a resolved path must not be pruned without `force` (/, system folders, the home folder
--- or above it, the working folder or above it), or nil.
---@param real string
---@return string? why
function rig.prune.dangerous_root(real) end
---@return string
function rig.prune.lines(report, opts) end
---@param bytes number
---@return string "12.3GiB"
function rig.prune.human(bytes) end

---@class rig.EnvProfile
---@field description? string
---@field env table<string, string> values may use {root}
---@field dirs? string[] names of variables that are directories to create

---@class rig.envprofile
---@field PROFILES table<string, rig.EnvProfile>
rig.envprofile = {}
--- Profiles from a TOML file of [profile.NAME] tables.
---@param path string
---@return table<string, rig.EnvProfile>? profiles
---@return rig.Error? err
function rig.envprofile.read(path) end
--- A profile's variables with {root} filled in, and its directories.
---@param profile string|rig.EnvProfile
---@param root string
---@return table<string, string>? env
---@return string[]|rig.Error dirs_or_err
function rig.envprofile.resolve(profile, root) end
--- `export NAME='value'` lines, sorted by name, values single-quoted; nil and an error for a
--- name that is not a shell variable name (it would run as code under eval).
---@param env table<string, string>
---@return string? lines
---@return rig.Error? err
function rig.envprofile.export_lines(env) end
--- True for a POSIX shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
---@param name any
---@return boolean
function rig.envprofile.valid_name(name) end
--- Creates the directories.
---@param dirs string[]
---@return true? ok
---@return rig.Error? err
function rig.envprofile.apply(dirs) end

---@class rig.triage
rig.triage = {}
--- 95% (by default) Wilson score interval of successes out of n.
---@return number low
---@return number high
function rig.triage.wilson(successes, n, z) end
--- Runs a case N times: failure rate with its Wilson interval, classes, verdict.
---@param run fun(i: integer): table
---@param opts? { runs?: integer, classify?: fun(result: table): string }
---@return rig.FlakyReport
function rig.triage.flaky(run, opts) end

---@class rig.FlakyReport
---@field runs integer
---@field failures integer
---@field rate number
---@field rate_low number 95% Wilson interval
---@field rate_high number
---@field classes table<string, integer>
---@field verdict "passes"|"fails"|"flaky"
---@field results table[]
--- Runs once; retries once with `overrides` when the failure class is one of `classes`.
---@param run fun(attempt: integer, overrides?: table): table
---@param opts { classes: string[], overrides: table|fun(class: string, result: table): table?,
---  classify?: fun(result: table): string }
---@return table result
---@return { overrides: table|false, ok: boolean, class?: string }[] attempts
function rig.triage.retry_with(run, opts) end
--- Molt's `<prefix>_control_*` fields from re-running a failed case under a second runner.
---@param primary table
---@param control fun(): table
---@param prefix string
---@return table<string, any>
function rig.triage.control(primary, control, prefix, opts) end
--- Delta debugging over settings: a minimal set that flips passing to failing.
---@param cfg { failing: table, passing: table, fails: fun(settings: table): boolean, runs?: integer, alpha?: number }
---@return rig.SettingsBisection? found
---@return string? why
function rig.triage.bisect_settings(cfg) end

--- The two rates a sequential probe tells apart, kept off 0 and 1, from the endpoints' rates.
---@param passing_rate number
---@param failing_rate number
---@param runs integer the runs each endpoint was measured with
---@return number p0
---@return number p1
function rig.triage.sprt_rates(passing_rate, failing_rate, runs) end
--- Runs `fails()` until Wald's sequential probability ratio test says which rate it fails at.
---@param fails fun(): boolean
---@param opts { passing_rate: number, failing_rate: number, runs: integer, alpha?: number }
---@return { failed: boolean, runs: integer, failures: integer, llr: number, sure: boolean }
function rig.triage.decide_rate(fails, opts) end

---@class rig.SettingsBisection
---@field culprits string[]
---@field settings table passing plus the culprits
---@field probes rig.SettingsProbe[] in the order they ran, each settings change once
---@field runs integer every run of the case, the endpoints' included
---@field rates { failing: number, passing: number } the endpoints' failure rates

---@class rig.SettingsProbe
---@field changed string[]
---@field failed boolean
---@field runs integer
---@field failures integer
---@field rate number
---@field rate_low number 95% Wilson interval
---@field rate_high number
---@field sure boolean decided by the sequential test (not at the run budget)

---@class rig.wasm
---@field NODE_FLAGS string[] Molt's node flags for stable wasm timings
---@field STRICT_BUILD_ENV table<string, string> Molt's settings for the retry after a build timeout
---@field BUILD_ENV table<string, string> Molt's wasm build defaults
rig.wasm = {}

---@class rig.WasmInfo
---@field size_bytes integer
---@field size_kb number bytes / 1024
---@field version integer
---@field sections { id: integer, name: string, size: integer }[]
---@field imports { module: string, name: string, kind: "function"|"table"|"memory"|"global"|"tag" }[]
---@field import_count integer
---@field function_import_count integer
---@field table_import_count integer
---@field memory_import_count integer
---@field global_import_count integer
---@field function_imports_per_kb number

--- Reads a module's sections and imports from a string.
---@param bytes string
---@param name? string
---@return rig.WasmInfo? info
---@return rig.Error? err code invalid_wasm, naming the byte offset
function rig.wasm.inspect_bytes(bytes, name) end
--- `inspect_bytes` of a file.
---@param path string
---@return rig.WasmInfo? info
---@return rig.Error? err
function rig.wasm.inspect(path) end
--- A runner as a lane: node (Rig's run_node.mjs on node's WASI) or wasmtime (the CLI, else PyPI's package).
---@param name "node"|"wasmtime"|string
---@param opts? { cmd?: string|string[], node_max_old_space_mb?: integer,
---  node_options?: string|string[], python?: string, node_bin?: string, host?: string }
---@return table lane
function rig.wasm.runner(name, opts) end

---@class rig.WasmConfig
---@field workloads { name: string, path: string }[] a .wasm path is run as it is
---@field runner table a rig.wasm.runner lane
---@field control? table a second runner, once per failed case
---@field build_cmd string template: {script} {dir} {out} {stem} {python}
---@field build_timeout? number seconds per attempt
---@field build_env? table<string, string>
---@field samples integer
---@field warmup integer
---@field super? boolean adds molt_wasm_stats
---@field require_linked? boolean a missing linked module stops the run
---@field run_timeout? number
---@field rss_limit_mb? integer
---@field run_env? table<string, string>
---@field run_args? string[]
---@field node_max_old_space_mb? integer recorded in the payload
---@field log? fun(command_line: string, result?: table)
---@field on_snapshot? fun(payload: table)
---@field workdir? string
---@field keep_artifacts? boolean

--- Runs every workload with Molt's wasm rules: Molt's bench_wasm payload, or nil, err, partial payload.
---@param cfg rig.WasmConfig
---@return table? payload
---@return rig.Error? err
---@return table? partial
function rig.wasm.run(cfg) end
--- What a build command's placeholders stand for: {script} {dir} {out} (dir/output_linked.wasm) {stem} {python}
--- {cache_flag} (--cache, or --no-cache when `cache` is false).
---@param script string
---@param dir string
---@param stem string
---@param python? string
---@param cache? boolean
---@return table<string, string>
function rig.wasm.build_values(script, dir, stem, python, cache) end
--- One case: its record in Molt's format, or nil and an error when the run must stop.
---@param workload { name: string, path: string }
---@param cfg rig.WasmConfig
---@return table? record
---@return rig.Error? err
function rig.wasm.case(workload, cfg) end

---@class rig.friends
---@field SEMANTIC_MODES string[]
---@field ROLES string[]
---@field LANES string[] Molt's lanes, in its metrics' order
rig.friends = {}
--- Loads and checks a manifest (Molt's schema); opts.values fills load-time templates.
---@param path string
---@param opts? { values?: table<string, string> }
---@return table? manifest { schema_version, defaults, suites, path }
---@return rig.Error? err code "manifest", naming the file, the suite and the key
function rig.friends.load(path, opts) end
--- `load` of an already decoded table.
---@return table? manifest
---@return rig.Error? err
function rig.friends.parse(data, path, opts) end
--- The suites to run: named, else enabled (or all); runner filter; pinned refs unless dry_run.
---@param manifest table
---@param opts? { suites?: string[], include_disabled?: boolean, runners?: string[], dry_run?: boolean,
---  repo_refs?: table<string, string> }
---@return table[]? suites
---@return rig.Error? err
function rig.friends.select(manifest, opts) end
--- True for a placeholder ref (PINNED/REQUIRED/PLACEHOLDER, or an unfilled template).
---@param ref? string
---@return boolean
function rig.friends.is_placeholder(ref) end
--- The whitelisted environment children start from (Molt's passthrough and Python settings).
---@return table<string, string>
function rig.friends.base_env() end
--- Molt's structured timings from a runner's JSON stdout: {metric = seconds}.
---@param doc any
---@return table<string, number>
function rig.friends.structured_timings(doc) end
--- Molt's suite metrics from runner records (ok workload runners only), with ratio_directions.
---@param runners table<string, table>
---@return table
function rig.friends.metrics(runners) end
--- Runs one selected suite; returns its record (Molt's layout plus rig.pairs).
---@param suite table from select
---@param opts table output_root, repos_root, repo_root, python, project_python, checkout, fetch, dry_run, ...
---@return table
function rig.friends.run_suite(suite, opts) end
--- Molt's summary.md for a results payload.
---@param payload table
---@param json_path? string
---@return string
function rig.friends.summary_markdown(payload, json_path) end
--- A fresh results payload (Molt's top level).
---@return table
function rig.friends.new_payload(manifest, options, dry_run) end
--- Adds a suite record, collecting its Molt failures.
function rig.friends.add_suite(payload, rec) end
--- Molt's backend-daemon cleanup event at the end of a run (nothing is left to terminate:
--- every descendant of a phase ends with it).
---@param session_id string
---@param project_root string
---@param reason string "harness_exit" or "interrupted"
---@return table
function rig.friends.cleanup_event(session_id, project_root, reason) end
--- Molt's `guarded_command_profile` record of a phase that did not pass (without the
--- environment).
---@param result table a phase record
---@param cwd string
---@param session_id string
---@param memory_guard? table
---@return table
function rig.friends.incident_record(result, cwd, session_id, memory_guard) end

---@class rig.size
---@field COMPRESSORS { key: string, argv: string[] }[]
---@field BUDGET_KEYS string[]
rig.size = {}
--- Compressed sizes by each installed compressor, and the missing ones.
---@param path string
---@param workdir string
---@return table<string, integer> sizes
---@return string[] missing
function rig.size.compressed(path, workdir) end
--- Section sizes (wasm header, size -A or llvm-size -A), and where they came from.
---@param path string
---@return table<string, integer>? sections
---@return string? source
function rig.size.sections(path) end
--- Start-up times: same_path, page_cache_cold, cold_first_sighting.
---@param path string
---@param cmd fun(path: string): string[]
---@param opts { runs?: integer, cold_runs?: integer, timeout?: number, workdir: string }
---@return table
function rig.size.startup(path, cmd, opts) end
--- Checks a case against a budget table.
---@return { passed: boolean, checks: table[] }? result
---@return rig.Error? err unknown key
function rig.size.check_budget(case, budget) end

---@class rig.gate
---@field MOLT_CATEGORIES table[]
rig.gate = {}
---@return table? definition
---@return string? message
function rig.gate.load_definition(def) end
---@param opts? {strict?: boolean, group?: string, alpha?: number}
---@return table result
function rig.gate.check(baseline, candidate, definition, opts) end
---@return string
function rig.gate.markdown(result) end

---@class rig.measure
---@field FIRST_LOOK integer the sequential rule's first look (6 runs)
---@field LOOK_GROWTH number each look adds this share of runs again (1.5)
rig.measure = {}

---@class rig.MeasureCommand
---@field name? string shown name (`{param}` allowed)
---@field shell? string a command line, run through the shell (or split into words when `shell` is false)
---@field argv? string[] the words, started as they are (`{param}` allowed in any word)
---@field env? table<string, string|number>
---@field cwd? string
---@field stdin? string a file to read as standard input
---@field setup? string|string[]|fun(b: table, i: integer): boolean? before the first run
---@field prepare? string|string[]|fun(b: table, i: integer): boolean? before every run
---@field conclude? string|string[]|fun(b: table, i: integer): boolean? after every run
---@field cleanup? string|string[]|fun(b: table, i: integer): boolean? after the last run

---@class rig.MeasureConfig
---@field commands (string|string[]|rig.MeasureCommand)[]
---@field parameters? { name: string, values: (string|number)[] }[] every combination is a benchmark
---@field shell? string|boolean the shell's command line ("sh"); false: split commands into words
---@field warmup? integer runs before timing (0)
---@field runs? integer exactly this many timed runs (no stopping rule)
---@field min_runs? integer hyperfine's rule: 10; the sequential rule: its first look (6)
---@field max_runs? integer hyperfine's rule: none; the sequential rule: 1000
---@field min_time? number hyperfine's rule: seconds of runs to aim for (3)
---@field time_budget? number the sequential rule: stop after this many seconds (60)
---@field decide? boolean the sequential rule (default: on with two or more benchmarks)
---@field order? "interleaved"|"sequential"|"random"
---@field seed? integer for random order and the environment offsets (1)
---@field failure? "stop"|"ignore"|"record" a failing run stops its benchmark (default); or is timed as a
---  sample; or (record) stops it in warmup, and otherwise is kept out of the samples, counted in
---  `failed_runs` and the first kept in `first_failure`, while the runs go on
---@field metric? "wall"|"user"|"sys"|"cpu"|"rss"|"instructions" what samples and verdicts use
---@field metrics? table<string, fun(result: table): number?> more values per run, from its rig.proc result
---@field check_output? boolean hash each run's stdout and stderr (`stdout_sha256`, `stderr_sha256`)
---@field reference? integer the benchmark the others are compared with (default: the lowest median)
---@field alpha? number false-positive rate of each verdict (0.05)
---@field noise? number changes within ±noise are "same" (0.02)
---@field timeout? number seconds per run
---@field cpu? integer pin every run to this CPU
---@field rss_limit_mb? number stop a run whose process tree passes this RSS
---@field capture_output? boolean capture stdout and stderr (for `inspect`)
---@field inspect? fun(b: rig.MeasureBenchmark, run: table, result: table, phase: "warmup"|"run") sees each
---  run's record and its rig.proc result (an adapter's way to keep more of a run)
---@field output? string "null" (default), "pipe", "inherit" or a file for the commands' stdout
---@field input? string a file every command reads as stdin
---@field env? table<string, string|number>
---@field cwd? string
---@field setup? string|string[]|function for every command (a command's own wins)
---@field prepare? string|string[]|function
---@field conclude? string|string[]|function
---@field cleanup? string|string[]|function
---@field on_progress? fun(info: rig.MeasureProgress)
---@field on_look? fun(result: table, comparisons: table) after each look of the sequential rule
---@field decided? fun(comparison: table, index: integer, result: table): boolean the sequential rule's own question

--- Runs the benchmarks (commands × parameter combinations) and returns every run, the
--- schedule, the plan, why it stopped and the verdicts; nil, err when the shell cannot run.
---@param cfg rig.MeasureConfig
---@return rig.MeasureResult? result
---@return rig.Error? err
function rig.measure.run(cfg) end
--- The run counts at which the sequential rule looks (6, 9, 14, ... up to max_runs).
---@param min_runs integer
---@param max_runs integer
---@return integer[]
function rig.measure.looks(min_runs, max_runs) end
--- A benchmark's primary metric over its timed runs (or a custom metric's values).
---@param b rig.MeasureBenchmark
---@param metric? string
---@return number[]
function rig.measure.samples(b, metric) end
--- The timed runs the statistics count: those that ended well (every one that ended, when
--- failures are ignored); never a timed-out run.
---@param b rig.MeasureBenchmark
---@return table[]
function rig.measure.counted_runs(b) end
--- n, median with its 95% interval, mean, stddev (n − 1), min, max, mean user/sys, peak RSS,
--- warnings; nil without samples.
---@param b rig.MeasureBenchmark
---@return table?
function rig.measure.summary(b) end
--- Every benchmark against the reference (default: the lowest median), by rig.stats.compare.
---@param result table
---@param opts? { reference?: integer, alpha?: number, confidence?: number, noise?: number }
---@return table<integer, table> comparisons
---@return integer? reference
function rig.measure.compare(result, opts) end

---@class rig.MeasureProgress
---@field phase "calibrating"|"warmup"|"run"
---@field done integer
---@field planned integer
---@field benchmark? rig.MeasureBenchmark
---@field iteration? integer
---@field eta_s? number

---@class rig.MeasureResult
---@field benchmarks rig.MeasureBenchmark[]
---@field schedule integer[][] {benchmark, iteration (0: a warmup)} in the order they ran
---@field plan table {mode = "fixed"|"hyperfine"|"decide", ...}
---@field shell? { argv: string[], wall_s: number, user_s: number, sys_s: number, runs: integer }
---@field comparisons table<integer, table> rig.stats.compare results by benchmark index
---@field reference? integer
---@field stop_reason string
---@field looks { runs: integer, decided: boolean }[]
---@field wall_s number
---@field metric string
---@field order string
---@field seed integer

---@class rig.MeasureBenchmark
---@field name string
---@field command string
---@field template string the command before its parameters were filled in
---@field argv string[]
---@field parameters table<string, string>
---@field parameter_order string[]
---@field runs table[] {wall_s, user_s, sys_s, max_rss_kb, code, signal, timed_out, ok, value, iteration,
---  stdout_sha256?, stderr_sha256?, metrics?}
---@field warmup table[]
---@field failure? rig.MeasureFailure why it stopped
---@field failed_runs? integer with failure "record": timed runs that failed
---@field first_failure? rig.MeasureFailure with failure "record": the first of them

---@class rig.MeasureFailure
---@field phase string "run", "setup", "prepare", "conclude" or "cleanup"
---@field message string
---@field code? integer
---@field signal? integer
---@field timed_out? boolean
---@field result? table the failing run's rig.proc result
---@field error? rig.Error why the command could not start

---@class rig.hyperfine
---@field UNITS string[] second, millisecond, microsecond
rig.hyperfine = {}
--- hyperfine's JSON export of a rig.measure result, with Rig's additions under `rig`.
---@param result table
---@param extra? table more fields for the `rig` block
---@return table
function rig.hyperfine.export_json(result, extra) end
--- hyperfine's Markdown table, then medians, intervals and verdicts.
---@param result table
---@param opts? { unit?: string, sort?: "auto"|"command"|"mean-time", reference?: integer }
---@return string
function rig.hyperfine.markdown(result, opts) end
--- hyperfine's CSV export.
---@param result table
---@return string
function rig.hyperfine.csv(result) end
--- One benchmark's terminal block (median and interval, mean ± σ, range, RSS, warnings).
---@param result table
---@param i integer
---@param opts? { color?: boolean, unit?: string }
---@return string
function rig.hyperfine.benchmark_text(result, i, opts) end
--- The terminal summary: relative speeds and verdicts against the reference.
---@param result table
---@param opts? { color?: boolean, sort?: string }
---@return string
function rig.hyperfine.summary_text(result, opts) end

---@class rig.git
rig.git = {}
--- The full commit id a revision names, or nil, err (not_a_repository, unknown_revision, git_missing).
---@param repo string
---@param rev string
---@return string? sha
---@return rig.Error? err
function rig.git.resolve(repo, rev) end
---@class rig.GitCommit
---@field sha string
---@field subject string
---@field time integer
--- The commits after `good` up to `bad`, oldest first, along the first-parent line.
---@param repo string
---@param good string
---@param bad string
---@return rig.GitCommit[]? commits
---@return rig.Error? err
function rig.git.commits(repo, good, bad) end
--- One commit's id, subject and time.
---@param repo string
---@param sha string
---@return rig.GitCommit? commit
---@return rig.Error? err
function rig.git.commit(repo, sha) end
--- Writes a commit's files into `dir` (git archive): the checkout, index and refs are untouched.
---@param repo string
---@param sha string
---@param dir string
---@return boolean? ok
---@return rig.Error? err
function rig.git.export(repo, sha, dir) end
--- A commit id's 12-character short form.
---@param sha string
---@return string
function rig.git.short(sha) end

---@class rig.bisect
rig.bisect = {}
--- Halving over candidates 1..count (before 1: good; count: bad) with git bisect's skips.
---@param cfg { count: integer, probe: fun(i: integer): "good"|"bad"|"skip" }
---@return { first_bad: integer?, candidates: integer[], last_good: integer, skipped: integer[], probed: integer[] }
function rig.bisect.search(cfg) end
---@class rig.BisectOptions
---@field repo string
---@field good string
---@field bad string
---@field command string|string[] `{dir}` and `{commit}` filled in; run in the build's folder
---@field build? string shell line run in each commit's tree (fails or exit 125: skip)
---@field cache string the build cache and state files
---@field mode? "failure"|"slowdown"
---@field threshold? number slowdown: bad beyond 1 + threshold (0.05)
---@field metric? "wall"|"user"|"sys"|"cpu"|"rss"
---@field warmup? integer
---@field min_runs? integer
---@field max_runs? integer slowdown: most runs per side in a probe (60)
---@field probe_runs? integer failure: endpoint runs and most runs per probe (1)
---@field probe_budget? number seconds
---@field alpha? number error rate per decision (0.01)
---@field bad_classes? string[] timeout, signal_exit, exit_nonzero, output_mismatch
---@field same_output? boolean
---@field timeout? number
---@field build_timeout? number
---@field rebuild? boolean
---@field fresh? boolean
---@field seed? integer
---@field on_event? fun(event: table)
--- Bisects a repository's history between good and bad: builds cached by commit, probes decided
--- by a paired slowdown interval or by failure rates, resumable. Raises a rig.Error.
---@param cfg rig.BisectOptions
---@return table report
---@return string? why no answer (the endpoints are not as claimed)
function rig.bisect.git(cfg) end
--- The report as JSON-ready tables in a stable key order.
---@param report table
---@return table
function rig.bisect.to_json(report) end
--- One probe's outcome in words.
---@param probe table
---@return string
function rig.bisect.describe(probe) end
--- The report as markdown.
---@param report table
---@return string
function rig.bisect.markdown(report) end

---@class rig.htmlreport
rig.htmlreport = {}
--- A strip plot (every value, box, median and its interval) per row, as SVG.
---@param rows { name: string, values: number[] }[]
---@param opts? { metric?: string, width?: integer }
---@return string
function rig.htmlreport.strip_plot(rows, opts) end
--- Ratios to a reference with their intervals and the noise band, as SVG.
---@param rows { name: string, ratio: number, low: number, high: number, verdict: string }[]
---@param opts? { noise?: number, reference?: string }
---@return string
function rig.htmlreport.ratio_plot(rows, opts) end
--- Medians over a numeric parameter with their intervals, one line per series, as SVG.
---@param series { name: string, points: { x: number, median: number, low: number, high: number }[] }[]
---@param opts? { parameter?: string, metric?: string }
---@return string
function rig.htmlreport.scan_plot(series, opts) end
--- A self-contained page for a rig.measure result: the table, the plots.
---@param result table
---@param opts? { title?: string, noise?: number }
---@return string
function rig.htmlreport.compare(result, opts) end
--- The metric along bisected commits, as SVG.
---@param report table from rig.bisect.git
---@return string svg
function rig.htmlreport.bisect_plot(report) end
--- A bisection report as a self-contained HTML page.
---@param report table
---@param opts? { title?: string }
---@return string html
function rig.htmlreport.bisect(report, opts) end
