"""MCUboot image signing, verification and key management (`zsec sign`, `west sec-sign`)."""
