-- vpcie.lua: a Wireshark dissector for vpcie, PCI Express Transaction Layer Packets carried over
-- Ethernet (EtherType 0x88B5, untagged or in an 802.1Q VLAN = the group). It decodes the 36-byte
-- link header and each TLP record of a DATA frame, as docs/wire-format.md describes them.
--
--   wireshark -X lua_script:tools/wireshark/vpcie.lua capture.pcap
--   tshark -X lua_script:tools/wireshark/vpcie.lua -r capture.pcap -Y 'vpcie.tlp.type == "MRd"'
--   (or copy it to ~/.local/lib/wireshark/plugins/)
--
-- The layouts are tables (HEADER, FRAME_TYPES, TLP_KINDS, ...): a change to the header is a change
-- to a row. Bit fields are taken with arithmetic, not a bit library, so it runs on Lua 5.2 to 5.4.

local vpcie = Proto("vpcie", "vpcie PCIe interconnect")

local ETHERTYPE = 0x88B5

local FRAME_TYPES = {
    [1] = "HELLO", [2] = "HELLO_ACK", [3] = "DATA", [4] = "ACK", [5] = "NAK",
    [6] = "KEEPALIVE", [7] = "CLOSE", [8] = "DISCOVER", [9] = "ANNOUNCE",
}
local DATA, NAK, KEEPALIVE, CLOSE, ANNOUNCE = 3, 5, 6, 7, 9
local CLOSE_REASONS = { [1] = "CLOSED", [2] = "RESET", [3] = "REFUSED" }
local KEEPALIVE_CODES = { [0] = "none", [1] = "challenge" }
-- Versions (docs/wire-format.md 1.1 and 1.5): a sealed frame (a group key) has the same header
-- and an integrity check value of `icv` bytes after the payload.
local VERSIONS = { [1] = { name = "plain", icv = 0 }, [2] = { name = "sealed", icv = 16 } }

-- The link header in wire order (docs/wire-format.md 1.1): key, label, bytes, display.
local HEADER = {
    { "version",      "Version",              1 },
    { "type",         "Type",                 1, FRAME_TYPES },
    { "length",       "Payload Length",       2 },
    { "src_instance", "Source Instance",      2 },
    { "dst_instance", "Destination Instance", 2 },
    { "src_epoch",    "Source Epoch",         8, "hex" },
    { "dst_epoch",    "Destination Epoch",    8, "hex" },
    { "seq",          "Seq",                  4 },
    { "ack",          "Ack",                  4 },
    { "window",       "Window",               2 },
    { "code",         "Code",                 2 },
}

local INT_FIELD = { [1] = ProtoField.uint8, [2] = ProtoField.uint16, [4] = ProtoField.uint32, [8] = ProtoField.uint64 }
local f = {}
local HEADER_LENGTH = 0
for _, row in ipairs(HEADER) do
    local key, label, size, display = row[1], row[2], row[3], row[4]
    if type(display) == "table" then
        f[key] = INT_FIELD[size]("vpcie." .. key, label, base.DEC, display)
    else
        f[key] = INT_FIELD[size]("vpcie." .. key, label, display == "hex" and base.HEX or base.DEC)
    end
    row.offset = HEADER_LENGTH
    HEADER_LENGTH = HEADER_LENGTH + size
end
f.close_reason = ProtoField.string("vpcie.close_reason", "CLOSE reason")
f.nak_first = ProtoField.uint32("vpcie.nak.first", "First missing TLP")
f.nak_count = ProtoField.uint32("vpcie.nak.count", "TLPs asked for again")
f.announcement = ProtoField.string("vpcie.announcement", "Announcement")
f.tlp_count = ProtoField.uint16("vpcie.tlps", "TLPs in this frame")
f.padding = ProtoField.bytes("vpcie.padding", "Ethernet padding")
f.icv = ProtoField.bytes("vpcie.icv", "ICV (HMAC-SHA-256, truncated)")
f.sealed = ProtoField.uint8("vpcie.sealed", "Sealed with the group key")
f.retransmitted = ProtoField.uint8("vpcie.retransmitted", "Retransmission (TLPs seen before)")

-- One TLP record: its length prefix, then the TLP (PCIe base spec 2.2).
local TLP_FIELDS = {
    { "record_length", ProtoField.uint16, "Record length" },
    { "seq",           ProtoField.uint32, "Sequence number" },
    { "fmt",           ProtoField.uint8,  "Fmt", base.DEC },
    { "typecode",      ProtoField.uint8,  "Type field", base.DEC },
    { "type",          ProtoField.string, "Type" },
    { "kind",          ProtoField.string, "Kind" },
    { "tc",            ProtoField.uint8,  "Traffic Class" },
    { "attr",          ProtoField.uint8,  "Attr (IDO RO NS)" },
    { "td",            ProtoField.uint8,  "TD (digest present)" },
    { "ep",            ProtoField.uint8,  "EP (poisoned)" },
    { "length",        ProtoField.uint16, "Length (DW)" },
    { "requester",     ProtoField.string, "Requester ID" },
    { "tag",           ProtoField.uint16, "Tag" },
    { "last_be",       ProtoField.uint8,  "Last DW BE", base.HEX },
    { "first_be",      ProtoField.uint8,  "First DW BE", base.HEX },
    { "address",       ProtoField.uint64, "Address", base.HEX },
    { "target",        ProtoField.string, "Completer ID (configuration target)" },
    { "register",      ProtoField.uint16, "Register", base.HEX },
    { "completer",     ProtoField.string, "Completer ID" },
    { "status",        ProtoField.string, "Completion Status" },
    { "bcm",           ProtoField.uint8,  "BCM" },
    { "byte_count",    ProtoField.uint16, "Byte Count" },
    { "lower_address", ProtoField.uint8,  "Lower Address", base.HEX },
    { "routing",       ProtoField.uint8,  "Message routing r[2:0]" },
    { "message_code",  ProtoField.uint8,  "Message Code", base.HEX },
    { "header_tail",   ProtoField.bytes,  "Header bytes 8-15" },
    { "data",          ProtoField.bytes,  "Data" },
    { "digest",        ProtoField.bytes,  "Digest (ECRC)" },
}
local t = {}
for _, row in ipairs(TLP_FIELDS) do
    t[row[1]] = row[2]("vpcie.tlp." .. row[1], row[3], row[4])
end
f.tlp = ProtoField.bytes("vpcie.tlp", "TLP")

local all = {}
for _, v in pairs(f) do all[#all + 1] = v end
for _, v in pairs(t) do all[#all + 1] = v end
vpcie.fields = all

local e_malformed = ProtoExpert.new("vpcie.malformed", "Malformed vpcie frame", expert.group.MALFORMED, expert.severity.ERROR)
local e_retransmission = ProtoExpert.new("vpcie.retransmission", "TLPs sent again (retransmission)", expert.group.SEQUENCE, expert.severity.NOTE)
local e_nak = ProtoExpert.new("vpcie.nak.expert", "NAK: the receiver saw a gap", expert.group.SEQUENCE, expert.severity.WARN)
vpcie.experts = { e_malformed, e_retransmission, e_nak }

-- Fmt/Type -> kind (PCIe base spec table 2-3). `generic` is vpcie.tlp.type, `kind` the name
-- vpcie tlp decode prints (memory requests say 32 or 64).
local TLP_KINDS = {
    [0x00] = { [0] = "MRd", [1] = "MRd", [2] = "MWr", [3] = "MWr" },
    [0x01] = { [0] = "MRdLk", [1] = "MRdLk" },
    [0x02] = { [0] = "IORd", [2] = "IOWr" },
    [0x04] = { [0] = "CfgRd0", [2] = "CfgWr0" },
    [0x05] = { [0] = "CfgRd1", [2] = "CfgWr1" },
    [0x0A] = { [0] = "Cpl", [2] = "CplD" },
    [0x0B] = { [0] = "CplLk", [2] = "CplDLk" },
    [0x0C] = { [2] = "FetchAdd", [3] = "FetchAdd" },
    [0x0D] = { [2] = "Swap", [3] = "Swap" },
    [0x0E] = { [2] = "CAS", [3] = "CAS" },
}
local CPL_STATUS = { [0] = "SC", [1] = "UR", [2] = "CRS", [4] = "CA" }

local function bits(v, shift, width) return math.floor(v / 2 ^ shift) % 2 ^ width end

local function bdf(id)
    return string.format("%02x:%02x.%x", bits(id, 8, 8), bits(id, 3, 5), bits(id, 0, 3))
end

local function tlp_type(fmt, typecode)
    if fmt == 4 then return "Prefix" end
    if bits(typecode, 3, 2) == 2 then
        if fmt == 1 then return "Msg" elseif fmt == 3 then return "MsgD" end
        return "Reserved"
    end
    local row = TLP_KINDS[typecode]
    return row and row[fmt] or "Reserved"
end

-- Adds one TLP at `tvb` (a record's bytes) to `tree`; returns a short summary for the Info column.
local function dissect_tlp(tvb, tree, seq)
    if tvb:len() < 4 then
        tree:add_proto_expert_info(e_malformed, "TLP shorter than one DW")
        return "?"
    end
    local dw0 = tvb(0, 4):uint()
    local fmt, typecode = bits(dw0, 29, 3), bits(dw0, 24, 5)
    local name = tlp_type(fmt, typecode)
    local header = (fmt % 2 == 1) and 16 or 12
    local kind = name
    if name == "MRd" or name == "MWr" then kind = name .. ((header == 16) and "64" or "32") end
    tree:add(t.seq, seq)
    tree:add(t.fmt, tvb(0, 1), fmt)
    tree:add(t.typecode, tvb(0, 1), typecode)
    tree:add(t.type, tvb(0, 1), name)
    tree:add(t.kind, tvb(0, 1), kind)
    tree:add(t.tc, tvb(1, 1), bits(dw0, 20, 3))
    tree:add(t.attr, tvb(1, 2), bits(dw0, 18, 1) * 4 + bits(dw0, 12, 2))
    tree:add(t.td, tvb(2, 1), bits(dw0, 15, 1))
    tree:add(t.ep, tvb(2, 1), bits(dw0, 14, 1))
    -- Length 0 means 1024 DW where Length counts something: data, or the DWs a read asks for;
    -- a Cpl or Msg without data has no Length (reserved, shown as it is).
    local length = bits(dw0, 0, 10)
    local has_data = fmt == 2 or fmt == 3
    if length == 0 and (has_data or name == "MRd" or name == "MRdLk") then length = 1024 end
    tree:add(t.length, tvb(2, 2), length)
    if tvb:len() < header then
        tree:add_proto_expert_info(e_malformed, name .. " needs a " .. header .. "-byte header")
        return kind
    end
    local dw1, dw2 = tvb(4, 4):uint(), tvb(8, 4):uint()
    local tag_high = bits(dw0, 23, 1) * 512 + bits(dw0, 19, 1) * 256
    local summary = kind
    if name == "Cpl" or name == "CplD" or name == "CplLk" or name == "CplDLk" then
        tree:add(t.completer, tvb(4, 2), bdf(bits(dw1, 16, 16)))
        local status = CPL_STATUS[bits(dw1, 13, 3)] or string.format("Reserved (%d)", bits(dw1, 13, 3))
        tree:add(t.status, tvb(6, 1), status)
        tree:add(t.bcm, tvb(6, 1), bits(dw1, 12, 1))
        local count = bits(dw1, 0, 12)
        tree:add(t.byte_count, tvb(6, 2), count == 0 and 4096 or count)
        tree:add(t.requester, tvb(8, 2), bdf(bits(dw2, 16, 16)))
        tree:add(t.tag, tvb(10, 1), tag_high + bits(dw2, 8, 8))
        tree:add(t.lower_address, tvb(11, 1), bits(dw2, 0, 7))
        summary = string.format("%s %s tag %d", kind, status, tag_high + bits(dw2, 8, 8))
    else
        tree:add(t.requester, tvb(4, 2), bdf(bits(dw1, 16, 16)))
        tree:add(t.tag, tvb(6, 1), tag_high + bits(dw1, 8, 8))
        if name == "Msg" or name == "MsgD" then
            tree:add(t.routing, tvb(0, 1), bits(typecode, 0, 3))
            tree:add(t.message_code, tvb(7, 1), bits(dw1, 0, 8))
            tree:add(t.header_tail, tvb(8, 8))
            summary = string.format("%s code 0x%02x", kind, bits(dw1, 0, 8))
        else
            tree:add(t.last_be, tvb(7, 1), bits(dw1, 4, 4))
            tree:add(t.first_be, tvb(7, 1), bits(dw1, 0, 4))
            if name:sub(1, 3) == "Cfg" then
                tree:add(t.target, tvb(8, 2), bdf(bits(dw2, 16, 16)))
                tree:add(t.register, tvb(10, 2), bits(dw2, 0, 12) - bits(dw2, 0, 2))
                summary = string.format("%s %s 0x%03x", kind, bdf(bits(dw2, 16, 16)), bits(dw2, 0, 12) - bits(dw2, 0, 2))
            else
                local address
                if header == 16 then
                    address = UInt64.new(tvb(12, 4):uint() - bits(tvb(12, 4):uint(), 0, 2), tvb(8, 4):uint())
                    tree:add(t.address, tvb(8, 8), address)
                else
                    address = UInt64.new(dw2 - bits(dw2, 0, 2), 0)
                    tree:add(t.address, tvb(8, 4), address)
                end
                summary = kind .. " 0x" .. address:tohex():gsub("^0+(%x)", "%1")
            end
        end
    end
    local payload = has_data and length * 4 or 0
    local digest = bits(dw0, 15, 1) == 1 and 4 or 0
    if tvb:len() ~= header + payload + digest then
        tree:add_proto_expert_info(e_malformed, string.format("%s: Length says %d bytes after the header, the record has %d",
            kind, payload + digest, tvb:len() - header))
    end
    if has_data and tvb:len() >= header + payload and payload > 0 then tree:add(t.data, tvb(header, payload)) end
    if digest > 0 and tvb:len() >= header + payload + 4 then tree:add(t.digest, tvb(header + payload, 4)) end
    return summary
end

-- Per capture: the highest sequence number seen so far per (source MAC, instance, epoch), to
-- mark TLPs sent again. Frames are visited in order on the first pass; later passes reuse marks.
local highest, retransmitted = {}, {}

function vpcie.init()
    highest, retransmitted = {}, {}
end

local function seq_after(a, b) -- a > b in 32-bit serial-number arithmetic
    local d = (a - b) % 4294967296
    return d ~= 0 and d < 2147483648
end

function vpcie.dissector(tvb, pinfo, tree)
    pinfo.cols.protocol = "vpcie"
    if tvb:len() < HEADER_LENGTH then
        local item = tree:add(vpcie, tvb(), "vpcie (truncated)")
        item:add_proto_expert_info(e_malformed, tvb:len() .. " bytes, shorter than the " .. HEADER_LENGTH .. "-byte link header")
        return
    end
    local v = {}
    for _, row in ipairs(HEADER) do
        local r = tvb(row.offset, row[3])
        v[row[1]] = row[3] == 8 and r:uint64() or r:uint()
    end
    local payload_length = math.min(v.length, tvb:len() - HEADER_LENGTH)
    local root = tree:add(vpcie, tvb(0, HEADER_LENGTH + payload_length))
    for _, row in ipairs(HEADER) do
        root:add(f[row[1]], tvb(row.offset, row[3]))
    end
    local type_name = FRAME_TYPES[v.type] or ("type " .. v.type)
    local info = string.format("%s seq %d ack %d win %d", type_name, v.seq, v.ack, v.window)
    local version = VERSIONS[v.version]
    if version == nil then
        root:add_proto_expert_info(e_malformed, "unsupported version " .. v.version)
        version = VERSIONS[1]
    end
    if version.icv > 0 then
        root:add(f.sealed, tvb(0, 1), 1)
    end
    if v.length > tvb:len() - HEADER_LENGTH then
        root:add_proto_expert_info(e_malformed, "Payload Length runs past the frame")
    end
    if v.type == CLOSE then
        root:add(f.close_reason, tvb(34, 2), CLOSE_REASONS[v.code] or ("unknown " .. v.code))
        info = info .. " " .. (CLOSE_REASONS[v.code] or "?")
    elseif v.type == KEEPALIVE and v.code ~= 0 then
        info = info .. " " .. (KEEPALIVE_CODES[v.code] or ("code " .. v.code))
    elseif v.type == NAK then
        root:add(f.nak_first, tvb(28, 4), v.ack)
        root:add(f.nak_count, tvb(24, 4), (v.seq - v.ack) % 4294967296)
        root:add_proto_expert_info(e_nak)
        info = string.format("NAK: resend %d..%d", v.ack, (v.seq - 1) % 4294967296)
    elseif v.type == ANNOUNCE and payload_length > 0 then
        root:add(f.announcement, tvb(HEADER_LENGTH, payload_length))
    elseif v.type == DATA then
        local at, stop, i, parts = HEADER_LENGTH, HEADER_LENGTH + payload_length, 0, {}
        while at + 2 <= stop do
            local record = tvb(at, 2):uint()
            if record < 12 or at + 2 + record > stop then
                root:add_proto_expert_info(e_malformed, "bad TLP record length " .. record)
                break
            end
            local seq = (v.seq + i) % 4294967296
            local item = root:add(f.tlp, tvb(at, 2 + record))
            item:add(t.record_length, tvb(at, 2))
            local summary = dissect_tlp(tvb(at + 2, record):tvb(), item, seq)
            item:set_text(string.format("TLP %d: %s", seq, summary))
            parts[#parts + 1] = summary
            at, i = at + 2 + record, i + 1
        end
        root:add(f.tlp_count, i)
        local key = tostring(pinfo.dl_src) .. "/" .. v.src_instance .. "/" .. tostring(v.src_epoch)
        if not pinfo.visited then
            local last = (v.seq + i - 1) % 4294967296
            if highest[key] ~= nil and not seq_after(v.seq, highest[key]) then retransmitted[pinfo.number] = true end
            if highest[key] == nil or seq_after(last, highest[key]) then highest[key] = last end
        end
        if retransmitted[pinfo.number] then
            root:add(f.retransmitted, 1):set_generated()
            root:add_proto_expert_info(e_retransmission)
            info = "[retransmission] " .. info
        end
        info = info .. ": " .. table.concat(parts, ", ")
    end
    local after = HEADER_LENGTH + payload_length
    if version.icv > 0 then
        if tvb:len() >= after + version.icv then
            root:add(f.icv, tvb(after, version.icv))
        else
            root:add_proto_expert_info(e_malformed, "sealed frame without its " .. version.icv .. "-byte ICV")
        end
        after = after + version.icv
    end
    if tvb:len() > after then
        root:add(f.padding, tvb(after))
    end
    root:append_text(", " .. type_name)
    pinfo.cols.info = (version.icv > 0 and "[sealed] " or "") .. info
end

DissectorTable.get("ethertype"):add(ETHERTYPE, vpcie)
