"""The MCUboot image format shared by sign, check and tfm: header, TLVs, trailer, signatures,
encryption, hex/bin I/O, parsing and verification."""
