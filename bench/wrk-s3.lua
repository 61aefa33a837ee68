-- wrk-s3.lua — wrk requests over a list of presigned S3 paths (bench/http.sh).
--
--   WRK_PATHS=FILE WRK_METHOD=GET|PUT [WRK_BODY_BYTES=N] \
--     wrk -t T -c C -d D -s bench/wrk-s3.lua http://HOST:PORT/ -- T
--
-- FILE is a Lua chunk returning presigned paths (bench/s3ctl.py
-- presign-lua).  Thread t of T sends paths t+1, t+1+T, t+1+2T, ... and wraps
-- around, so no two threads write the same key at the same time; a PUT
-- carries WRK_BODY_BYTES random bytes (the same body for every request of a
-- thread).  A presigned path carries its own signature, so wrk needs no
-- signing of its own.
local paths = dofile(os.getenv("WRK_PATHS"))
local method = os.getenv("WRK_METHOD") or "GET"
local body_bytes = tonumber(os.getenv("WRK_BODY_BYTES") or "0")
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local idx, stride, body

function init(args)
  stride = tonumber(args[1] or "1")
  idx = tid + 1
  if method == "PUT" then
    math.randomseed(tid + 1)
    local t = {}
    for i = 1, body_bytes do
      t[i] = string.char(math.random(0, 255))
    end
    body = table.concat(t)
  end
end

function request()
  local p = paths[idx]
  idx = idx + stride
  if idx > #paths then
    idx = tid + 1
  end
  return wrk.format(method, p, nil, body)
end
