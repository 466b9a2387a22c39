/* Stand-in application source: its bytes become the image payload. */
int main(void)
{
	return 0;
}
