/* Stand-in MCUboot source. */
