"""The preview renderer's looks: palettes per style, picked by the prompt's words.

Keys are English words, then Japanese base forms (`sora_site.japanese.words`).
"""

from __future__ import annotations

from sora_site import japanese

RGB = tuple[int, int, int]
Palette = tuple[RGB, RGB, RGB, RGB]  # sky top, sky bottom, ground / shapes, accent

# Each style has a few palettes; storyboard shot i takes palette i, so cuts are visible while the
# look stays in one family.
STYLES: dict[str, tuple[tuple[str, ...], tuple[Palette, ...]]] = {
    "noir": (
        ("noir", "monochrome", "detective", "grayscale", "greyscale", "ノワール", "モノクロ", "白黒", "探偵"),
        (
            ((20, 20, 22), (95, 95, 100), (8, 8, 10), (235, 235, 235)),
            ((150, 150, 155), (45, 45, 50), (15, 15, 18), (255, 255, 255)),
            ((5, 5, 5), (60, 60, 65), (130, 130, 135), (200, 200, 200)),
        ),
    ),
    "anime": (
        ("anime", "manga", "ghibli", "cartoon", "kawaii", "chibi")
        + ("アニメ", "漫画", "マンガ", "ジブリ", "カートゥーン", "かわいい", "可愛い", "カワイイ", "ちび"),
        (
            ((120, 190, 255), (255, 214, 236), (92, 170, 120), (255, 120, 160)),
            ((255, 200, 150), (255, 240, 200), (110, 140, 220), (255, 90, 90)),
            ((160, 130, 255), (255, 190, 230), (70, 90, 160), (255, 230, 120)),
        ),
    ),
    "neon": (
        ("neon", "cyberpunk", "synthwave", "arcade", "rave", "vaporwave", "club")
        + ("ネオン", "サイバーパンク", "シンセウェイブ", "ゲームセンター", "ゲーセン", "レイブ", "クラブ"),
        (
            ((20, 0, 40), (90, 0, 120), (0, 255, 220), (255, 0, 170)),
            ((5, 10, 40), (40, 0, 90), (255, 60, 200), (0, 220, 255)),
            ((30, 0, 30), (0, 40, 90), (255, 230, 0), (0, 255, 140)),
        ),
    ),
    "sunset": (
        ("sunset", "sunrise", "dusk", "dawn", "golden", "twilight")
        + ("夕焼け", "夕暮れ", "夕日", "夕方", "日没", "朝焼け", "日の出", "黄昏", "たそがれ", "夜明け", "黄金"),
        (
            ((255, 120, 60), (255, 210, 120), (90, 40, 80), (255, 240, 180)),
            ((180, 60, 120), (255, 150, 80), (40, 20, 60), (255, 220, 140)),
            ((255, 170, 90), (120, 80, 160), (60, 30, 50), (255, 255, 200)),
        ),
    ),
    "space": (
        ("space", "galaxy", "stars", "star", "planet", "nebula", "astronaut", "cosmic", "orbit", "moon")
        + ("宇宙", "銀河", "星", "星空", "惑星", "星雲", "軌道", "月"),
        (
            ((5, 5, 20), (40, 20, 80), (120, 60, 200), (255, 255, 255)),
            ((0, 0, 10), (10, 40, 80), (200, 80, 160), (180, 220, 255)),
            ((10, 0, 20), (60, 10, 60), (40, 120, 220), (255, 220, 160)),
        ),
    ),
    "ocean": (
        ("ocean", "sea", "beach", "underwater", "wave", "waves", "surf", "coral", "island")
        + ("海", "海辺", "浜辺", "海岸", "ビーチ", "水中", "波", "サーフィン", "珊瑚", "サンゴ", "島"),
        (
            ((0, 90, 160), (120, 220, 230), (0, 50, 90), (255, 240, 200)),
            ((0, 40, 90), (0, 150, 170), (240, 210, 150), (255, 255, 255)),
            ((60, 170, 220), (200, 240, 250), (20, 90, 120), (255, 200, 120)),
        ),
    ),
    "forest": (
        ("forest", "woods", "jungle", "garden", "meadow", "tree", "trees", "moss", "park")
        + ("森", "林", "ジャングル", "庭", "庭園", "草原", "木", "木々", "苔", "公園"),
        (
            ((70, 130, 80), (190, 220, 150), (30, 60, 35), (250, 230, 140)),
            ((20, 60, 40), (100, 160, 90), (60, 40, 20), (220, 255, 180)),
            ((120, 170, 90), (230, 240, 190), (50, 90, 50), (255, 180, 90)),
        ),
    ),
    "snow": (
        ("snow", "winter", "ice", "frozen", "arctic", "christmas", "ski")
        + ("雪", "冬", "氷", "凍る", "北極", "クリスマス", "スキー"),
        (
            ((170, 200, 230), (245, 250, 255), (120, 140, 170), (230, 60, 60)),
            ((60, 80, 130), (200, 215, 240), (235, 240, 250), (255, 210, 120)),
            ((220, 230, 245), (150, 175, 210), (80, 95, 130), (120, 200, 255)),
        ),
    ),
    "desert": (
        ("desert", "sand", "dune", "dunes", "canyon", "sahara", "western")
        + ("砂漠", "砂", "砂丘", "峡谷", "サハラ", "西部劇"),
        (
            ((250, 190, 110), (255, 235, 180), (190, 110, 60), (120, 60, 40)),
            ((120, 170, 230), (250, 220, 170), (210, 140, 80), (255, 255, 230)),
            ((200, 90, 60), (250, 180, 110), (110, 50, 40), (255, 230, 160)),
        ),
    ),
}
MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down")


def pick_style(text: str) -> str | None:
    words = japanese.words(text)
    for name, (keys, _) in STYLES.items():
        if words.intersection(keys):
            return name
    return None
