"""Share posters (推广海报): a product's picture, title and price with the distributor's name and the QR
code of their referral link. Not WeChat code: a PNG drawn with Pillow and kept in Django's default
storage. ``share_posters`` prepares (mutation) and reads (query) them; ``drawing`` draws, ``fonts``
chooses the CJK font, ``product_images`` fetches the product's picture."""
