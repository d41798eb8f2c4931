-- Hand every frame of link type DLT_USER0 (147) to tshark's TS 101 671
-- HI2Operations dissector (tests/conformance/hi2_tshark.sh).
local hi2 = Dissector.get("HI2Operations")
local wrap = Proto("sluice_hi2", "sluice HI2 sample")
function wrap.dissector(tvb, pinfo, tree)
	pinfo.cols.protocol = "HI2"
	return hi2:call(tvb, pinfo, tree)
end
DissectorTable.get("wtap_encap"):add(wtap_encaps.USER0, wrap)
